import { parseCsv } from '@hns/gazetteer';
import { csvCell, csvLine } from './csv-writer';

describe('exported CSV cells', () => {
  it('quotes separators, quotes and line breaks so the file reads back the same', () => {
    const line = csvLine(['Mopti, Sévaré', 'say "hi"', 'two\nlines', 12.5, null, true]);
    expect(parseCsv(line)).toEqual([
      ['Mopti, Sévaré', 'say "hi"', 'two\nlines', '12.5', '', 'true'],
    ]);
    expect(line.endsWith('\r\n')).toBe(true);
  });

  it('neutralises text a spreadsheet would run as a formula, but keeps negative numbers', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+223 76 00 00 01')).toBe("'+223 76 00 00 01");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-4.1827)).toBe('-4.1827');
    expect(csvCell(Number.NaN)).toBe('');
  });
});
