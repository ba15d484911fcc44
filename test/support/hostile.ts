import fc from 'fast-check';

/**
 * Arbitraries for the fuzz tests: values that are CERTAINLY invalid for a field of a given
 * kind (so a property knows the answer must be a 4xx naming that field), built from the shapes
 * of the real schemas (libs/movements notification.schema.ts, libs/deconfliction zone.schema.ts,
 * the controllers' own schemas), plus hostile strings of every sort.
 */

/** Strings attackers and broken clients send: SQL, HTML, JSON, template, path and Unicode tricks. */
export const HOSTILE_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE movement_notifications; --",
  '1; SELECT pg_sleep(5)--',
  "' UNION SELECT email, password_hash FROM users --",
  '") OR ("1"="1',
  '$1',
  '%s%s%s%n',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{"$gt": ""}',
  '{"__proto__": {"admin": true}}',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '0x1F',
  'null',
  'undefined',
  'true',
  '\u0000',
  'abc\u0000def',
  '\uFEFF',
  '\u202Egnp.exe',
  '\uD800',
  '𝕳𝖊𝖑𝖑𝖔 🚚💥',
  'Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕v̟̜̘̦͟o̶̙̰̠kè͚̮̺̪̹̱̤ ̖t̝͕̳̣̻̪͞h̼͓̲̦̳̘̲e͇̣̰̦̬͎ ̢̼̻̱̘h͚͎͙̜̣̲ͅi̦̲̣̰̤v̻͍e̺̭̳̪̰-m̢iͅn̖̺̞̲̯̰d̵̼̟͙̩̼̘̳ ̞̥̱̳̭r̛̗̘e͙p͠r̼̞̻̭̗e̺̠̣͟s̘͇̳͍̝͉e͉̥̯̞̲͚̬͜ǹ̬͎͎̟̖͇̤t͍̬̤͓̼̭͘ͅi̪̱n͠g̴͉ ͏͉ͅc̬̟h͡a̫̻̯͘o̫̟̖͍̙̝͉s̗̦̲.̨̹͈̣',
  '\r\nSet-Cookie: hns_session=x',
  ' ',
  '\t\n',
];

/** A hostile string, from the list or generated (any Unicode, control characters included). */
export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 20 }))
      .map(([a, b]) => a + b),
  },
);

/** Half of a UTF-16 surrogate pair without its other half (no UTF-8 form: not in a URL). */
export const hasLoneSurrogate = (s: string) =>
  /[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));

/** A hostile string that can be written in a URL (encodeURIComponent throws on lone surrogates). */
export const urlString = hostileString.filter((s) => !hasLoneSurrogate(s));

/** Anything that is not a string (as JSON carries it). */
const notString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** Anything that is not a number. */
const notNumber = fc.oneof(
  hostileString,
  fc.constantFrom('14.5', '0', '-1', 'NaN', 'Infinity', '1e999', '0x10', '', ' 12 '),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.constant({}),
);

const notBoolean = fc.oneof(
  fc.constantFrom('true', 'false', 'yes', 'oui', '1', 'on', ''),
  fc.integer({ min: 0, max: 1 }),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  hostileString,
);

/** A number outside [min, max] (JSON has no NaN or Infinity: JSON.stringify turns them into null). */
const outside = (min: number, max: number) =>
  fc.oneof(
    fc.double({ min: max, max: 1e300, noNaN: true }).filter((n) => n > max),
    fc.double({ min: -1e300, max: min, noNaN: true }).filter((n) => n < min),
    fc.constantFrom(1e308, -1e308, max + 1e-9, min - 1e-9),
  );

/**
 * Longer than `max` characters. The schemas count characters as zod 4 does, in Unicode code
 * points (an emoji is one character, not two UTF-16 units), which is what a user counts and what
 * a PostgreSQL varchar(n) would count; the text is stored in text/jsonb columns, without a limit
 * of their own. So the repeated character is one code point, astral ones included.
 */
const tooLong = (max: number) =>
  fc
    .tuple(
      fc.integer({ min: max + 1, max: max + 3000 }),
      fc.constantFrom('x', 'é', '🚚', '\u0301', "'", '𝕳'),
    )
    .map(([n, ch]) => ch.repeat(n))
    .filter((s) => codePoints(s.trim()) > max);

/** Length in Unicode code points (what the schemas' max counts). */
export const codePoints = (s: string) => [...s].length;

const blank = fc.constantFrom('', ' ', '   ', '\t', '\n\r', '\u00A0'.trim());

/** Text of at most `max` characters, required (trimmed, at least one character). */
export const badText = (max: number) => fc.oneof(notString, blank, tooLong(max));
/** Optional text: present but not a string, or too long. */
export const badOptionalText = (max: number) => fc.oneof(notString, tooLong(max));

/** Not a phone number such as +223 76 00 00 00 (the schema's pattern). */
export const badPhone = fc.oneof(
  notString,
  fc.constantFrom('', '12', '+', 'phone', '+223 76 00 00 0x', '1'.repeat(26), "+223' OR 1=1"),
  hostileString.map((s) => `${s}x`),
);

/** Not an email address. */
export const badEmail = fc.oneof(
  notString,
  hostileString.map((s) => `${s} not an address`),
  fc.constantFrom('', 'a@', '@b.org', 'a b@c.org', 'a@b', `${'a'.repeat(250)}@b.org`, 'x@y..z'),
);

/** A string that is none of `values`. */
export const badEnum = (values: readonly string[]) =>
  fc.oneof(
    notString,
    hostileString.filter((s) => !values.includes(s)),
    fc.constantFrom(...values).map((v) => v.toUpperCase() + ' '),
  );

/** Not an ISO 8601 instant with an offset. */
export const badInstant = fc.oneof(
  notString,
  fc.integer({ min: 0, max: 2 ** 42 }),
  hostileString,
  fc.constantFrom(
    '2026-02-30T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-01-01T25:00:00Z',
    '2026-01-01T10:00:00',
    '2026-01-01',
    '10:00',
    'tomorrow',
    'Invalid Date',
    '2026-01-01T10:00:00+99:00',
    '+275760-09-14T00:00:00Z',
  ),
);

export const badLatitude = fc.oneof(outside(-90, 90), notNumber);
export const badLongitude = fc.oneof(outside(-180, 180), notNumber);
/** An integer in [min, max] expected. */
/** An integer of at least `min` expected (no maximum). */
export const badMinInt = (min: number) =>
  fc.oneof(
    fc.integer({ min: -1000, max: min - 1 }),
    fc.constantFrom(min + 0.5, -0.5, 1e-9),
    notNumber,
  );
export const badInt = (min: number, max: number) =>
  fc.oneof(
    outside(min, max),
    fc.double({ min, max, noNaN: true }).filter((n) => !Number.isInteger(n)),
    notNumber,
  );
export const badNumber = (min: number, max: number) => fc.oneof(outside(min, max), notNumber);
export const badBoolean = notBoolean;

/**
 * Keys no schema of the API knows (strict objects refuse them), those named like members of
 * Object.prototype included (Nest deletes `prototype` and `constructor` before validating; the
 * validation pipe refuses them instead). `__proto__` is left to the raw-JSON test: an object
 * literal cannot carry it as a plain key, and Fastify's JSON parser refuses it.
 */
export const unknownKey = fc.oneof(
  fc.constantFrom(
    'prototype',
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    '$where',
    'isAdmin',
    'organisationId',
    'status',
    "'; DROP TABLE users; --",
    '<img src=x>',
    'a.b',
    '𝕳',
  ),
  fc.string({ minLength: 1, maxLength: 12 }).map((s) => `x_${s}`),
);

/** A deeply nested value, arrays or objects. */
export const deepValue = fc
  .tuple(fc.integer({ min: 20, max: 400 }), fc.boolean())
  .map(([depth, arrays]) => {
    let value: unknown = 'bottom';
    for (let i = 0; i < depth; i += 1) value = arrays ? [value] : { d: value };
    return value;
  });

/** Sets the value at a dotted path (creating nothing: the path must exist down to its parent). */
export function setPath(target: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}

export function deletePath(target: unknown, path: string): void {
  const keys = path.split('.');
  let node = target as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[keys[keys.length - 1]];
}

export const clone = <T>(value: T): T => structuredClone(value);

/** A body and the field its answer must name. */
export interface Mutation {
  body: unknown;
  field: string;
  what: string;
}

export type Leaf = [path: string, invalid: fc.Arbitrary<unknown>];

/**
 * Certainly-invalid mutations of a valid body: one field given a bad value, a required field
 * removed, an unknown field added, an object or list replaced by something else.
 */
export function mutations(
  valid: () => Record<string, unknown>,
  spec: { leaves: Leaf[]; required: string[]; objects: string[]; lists?: [string, number][] },
): fc.Arbitrary<Mutation> {
  const badLeaf = fc
    .constantFrom(...spec.leaves)
    .chain(([path, arb]) => arb.map((value) => ({ path, value })))
    .map(({ path, value }) => {
      const body = valid();
      setPath(body, path, value);
      return { body, field: path, what: `bad ${path}` };
    });
  const extra = fc
    .tuple(
      fc.constantFrom(...spec.objects),
      unknownKey,
      fc.oneof(hostileString, deepValue, notString),
    )
    .map(([path, key, value]) => {
      const body = valid();
      const parent = path ? path.split('.').reduce<any>((n, k) => n[k], body) : body; // eslint-disable-line @typescript-eslint/no-explicit-any
      parent[key] = value;
      return { body, field: path ? `${path}.${key}` : key, what: `extra ${path}.${key}` };
    });
  const arbitraries: fc.Arbitrary<Mutation>[] = [badLeaf, extra];
  if (spec.required.length > 0) {
    arbitraries.push(
      fc.constantFrom(...spec.required).map((path) => {
        const body = valid();
        deletePath(body, path);
        return { body, field: path, what: `no ${path}` };
      }),
    );
  }
  // Nested objects and lists replaced by something else (a flat body has none).
  const containers = [...spec.objects.filter(Boolean), ...(spec.lists ?? []).map(([p]) => p)];
  if (containers.length > 0) {
    arbitraries.push(
      fc
        .tuple(
          fc.constantFrom(...containers),
          fc.oneof(hostileString, fc.integer(), fc.constant(null), fc.boolean(), deepValue),
        )
        .map(([path, value]) => {
          const body = valid();
          setPath(body, path, value);
          return { body, field: path, what: `replaced ${path}` };
        }),
    );
  }
  if (spec.lists?.length) {
    arbitraries.push(
      fc.constantFrom(...spec.lists).map(([path, max]) => {
        const body = valid();
        const list = path.split('.').reduce<any>((n, k) => n[k], body) as unknown[]; // eslint-disable-line @typescript-eslint/no-explicit-any
        setPath(
          body,
          path,
          Array.from({ length: max + 1 }, () => structuredClone(list[0])),
        );
        return { body, field: path, what: `too many ${path}` };
      }),
    );
  }
  return fc.oneof(...arbitraries.map((arbitrary, i) => ({ arbitrary, weight: i === 0 ? 4 : 1 })));
}

/** True when an error field names `field` (or something inside it). */
export function namesField(errors: { field: string }[] | undefined, field: string): boolean {
  return (errors ?? []).some((e) => e.field === field || e.field.startsWith(`${field}.`));
}
