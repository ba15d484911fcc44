import fc from 'fast-check';
import { isSafeRequestId, requestIdFrom } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it.each(['req-abc123', 'a', 'A.b_c:d-9', 'x'.repeat(64), '01HZX8Q2:trace.7'])(
    'keeps the safe token %s',
    (id) => {
      expect(isSafeRequestId(id)).toBe(true);
      expect(requestIdFrom(id)).toBe(id);
    },
  );

  it.each([
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a space', 'req abc'],
    ['a line break', 'req\nlevel=fatal'],
    ['markup', '<script>'],
    ['a slash', 'a/b'],
    ['an @', 'focal@acf.test'],
    ['non-ASCII', 'réq'],
    ['JSON', '{"level":"fatal"}'],
  ])('replaces a header with %s by a new UUID', (_what, header) => {
    expect(isSafeRequestId(header)).toBe(false);
    expect(requestIdFrom(header)).toMatch(UUID);
  });

  it('generates a different UUID for each request without a header', () => {
    const first = requestIdFrom(undefined);
    expect(first).toMatch(UUID);
    expect(requestIdFrom(undefined)).not.toBe(first);
  });

  it('takes the first value of a repeated header, if safe', () => {
    expect(requestIdFrom(['req-1', 'req-2'])).toBe('req-1');
    expect(requestIdFrom(['bad id', 'req-2'])).toMatch(UUID);
  });

  it('never returns anything but a safe token, whatever the header', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (header) => {
        expect(isSafeRequestId(requestIdFrom(header))).toBe(true);
      }),
    );
  });

  it('refuses values that are not strings', () => {
    expect(isSafeRequestId(42)).toBe(false);
    expect(isSafeRequestId(null)).toBe(false);
    expect(isSafeRequestId({ id: 'x' })).toBe(false);
  });
});
