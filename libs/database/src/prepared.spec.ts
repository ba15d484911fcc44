import { prepared } from './prepared';

type Statement = { name: string; text: string };
const statement = (label: string, text: string) => prepared(label, text) as unknown as Statement;

describe('prepared (named statements for pg)', () => {
  it('names a text once, by label and hash, and keeps the text as given', () => {
    const a = statement('movement-submit', 'SELECT $1::int AS n');
    expect(a).toEqual({
      name: expect.stringMatching(/^hns-movement-submit-[0-9a-f]{16}$/),
      text: 'SELECT $1::int AS n',
    });
    expect(statement('movement-submit', 'SELECT $1::int AS n').name).toBe(a.name);
  });

  it('never gives two texts the same name (pg refuses a name reused for another text)', () => {
    const a = statement('same-label', 'SELECT 1');
    const b = statement('same-label', 'SELECT 2');
    expect(a.name).not.toBe(b.name);
  });
});
