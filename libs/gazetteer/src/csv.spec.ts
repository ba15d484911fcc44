import { CsvFormatError, parseCsv, readCsvRecords } from './csv';

describe('parseCsv', () => {
  it('splits rows and fields, with LF or CRLF line endings and no empty last row', () => {
    expect(parseCsv('a,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('a,b\r\n1,2\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('a,b\r\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(parseCsv('a,,c,\n')).toEqual([['a', '', 'c', '']]);
    expect(parseCsv('Satadougou,Kayes,,')).toEqual([['Satadougou', 'Kayes', '', '']]);
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks', () => {
    expect(parseCsv('RN16,"start (Mopti region); a, b",x\n')).toEqual([
      ['RN16', 'start (Mopti region); a, b', 'x'],
    ]);
    expect(parseCsv('"say ""Bamako""",""\n')).toEqual([['say "Bamako"', '']]);
    expect(parseCsv('"line one\r\nline two",z')).toEqual([['line one\r\nline two', 'z']]);
  });

  it('ignores a byte order mark', () => {
    expect(parseCsv('\uFEFFname\nGao\n')).toEqual([['name'], ['Gao']]);
  });

  it('refuses a quote that never closes, naming the line it opened on', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(
      new CsvFormatError('line 2: a quoted field is never closed'),
    );
  });

  it('refuses text after a closing quote and a quote inside an unquoted field', () => {
    expect(() => parseCsv('"a"b,c')).toThrow(CsvFormatError);
    expect(() => parseCsv('Aguel"hoc,c')).toThrow(/line 1: a quote inside an unquoted field/);
  });
});

describe('readCsvRecords', () => {
  const HEADER = 'name,name_fr,lat\n';

  it('keys each record by the header and skips the HXL hashtag row', () => {
    const text = `${HEADER}#loc+name,#loc+name+i_fr,#geo+lat\nTimbuktu,Tombouctou,16.76659\n`;
    expect(readCsvRecords(text)).toEqual([
      { name: 'Timbuktu', name_fr: 'Tombouctou', lat: '16.76659' },
    ]);
  });

  it('keeps a second row that is data, and skips blank lines', () => {
    expect(readCsvRecords(`${HEADER}Gao,Gao,16.3\n\nKidal,Kidal,18.4\n`)).toEqual([
      { name: 'Gao', name_fr: 'Gao', lat: '16.3' },
      { name: 'Kidal', name_fr: 'Kidal', lat: '18.4' },
    ]);
  });

  it('refuses a row with the wrong number of fields, naming it', () => {
    expect(() => readCsvRecords(`${HEADER}#a,#b,#c\nGao,Gao\n`)).toThrow(
      new CsvFormatError('row 3: 2 fields where the header has 3'),
    );
  });

  it('refuses a file without a header', () => {
    expect(() => readCsvRecords('')).toThrow(/no header row/);
  });
});
