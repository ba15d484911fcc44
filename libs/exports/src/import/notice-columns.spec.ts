import { NOTICE_COLUMNS, noticeFromRow } from './notice-columns';

describe('a CSV row as a movement notice', () => {
  const record = (values: Record<string, string>) =>
    Object.fromEntries(NOTICE_COLUMNS.map((c) => [c.column, values[c.column] ?? '']));

  it('nests dotted columns, converts numbers and booleans, splits lists', () => {
    const { notice, problems } = noticeFromRow(
      record({
        type: 'convoy',
        'departure.lat': '"14,4843"'.replace(/"/g, ''),
        'departure.lon': '-4.1827',
        'focalPoint.phone': "'+223 76 00 00 01",
        waypoints: 'Douentza|15.0019|-2.9497|oui; Hombori|15.28|-1.7',
        vehicles: 'Truck 10 t|AB-5678-MD',
        cargo: 'food|Rice and oil|9.5',
        'personnel.national': '6',
        dataAccuracyConfirmed: 'Oui',
      }),
    );
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      type: 'convoy',
      departure: { lat: 14.4843, lon: -4.1827 },
      focalPoint: { phone: '+223 76 00 00 01' },
      waypoints: [
        { place: 'Douentza', lat: 15.0019, lon: -2.9497, overnight: true },
        { place: 'Hombori', lat: 15.28, lon: -1.7 },
      ],
      vehicles: [{ type: 'Truck 10 t', plate: 'AB-5678-MD' }],
      cargo: [{ category: 'food', description: 'Rice and oil', tonnes: 9.5 }],
      personnel: { national: 6 },
      dataAccuracyConfirmed: true,
      communications: {},
    });
    expect(notice).not.toHaveProperty('priority');
  });

  it('passes a value it cannot read on as text, and names a list item with too many parts', () => {
    const { notice, problems } = noticeFromRow(
      record({ 'personnel.national': 'six', cargo: 'food|rice|1|extra' }),
    );
    expect(notice.personnel).toEqual({ national: 'six' });
    expect(problems).toEqual([expect.objectContaining({ field: 'cargo.0', rule: 'list_item' })]);
  });
});
