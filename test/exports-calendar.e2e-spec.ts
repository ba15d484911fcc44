import {
  Harness,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';

interface Component {
  name: string;
  properties: { name: string; params: string; value: string }[];
  children: Component[];
}

/**
 * A strict little RFC 5545 reader: CRLF only, lines of at most 75 octets, unfolding (§3.1),
 * BEGIN/END nesting, `name[;params]:value` content lines. Throws on anything else.
 */
function parseIcs(text: string): Component {
  if (text.replace(/\r\n/g, '').match(/[\r\n]/)) throw new Error('bare CR or LF');
  const physical = text.split('\r\n');
  if (physical.pop() !== '') throw new Error('does not end with CRLF');
  for (const line of physical) {
    if (Buffer.byteLength(line, 'utf8') > 75) throw new Error(`line over 75 octets: ${line}`);
  }
  const lines = text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .slice(0, -1);
  const root: Component = { name: '', properties: [], children: [] };
  const stack = [root];
  for (const line of lines) {
    const match = /^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    if (!match) throw new Error(`not a content line: ${line}`);
    const [, name, params, value] = match;
    const top = stack[stack.length - 1];
    if (name === 'BEGIN') {
      const child: Component = { name: value, properties: [], children: [] };
      top.children.push(child);
      stack.push(child);
    } else if (name === 'END') {
      if (stack.pop()?.name !== value) throw new Error(`END:${value} does not close its BEGIN`);
    } else top.properties.push({ name, params, value });
  }
  if (stack.length !== 1 || root.children.length !== 1) throw new Error('unbalanced components');
  return root.children[0];
}

const prop = (component: Component, name: string) =>
  component.properties.find((p) => p.name === name)?.value;

describe('iCalendar feed at a secret, revocable address', () => {
  let h: Harness;
  let acf: Awaited<ReturnType<typeof ngoAccount>>;
  let nrc: Awaited<ReturnType<typeof ngoAccount>>;
  let undss: Awaited<ReturnType<typeof cellAccount>>;
  const acfRefs: string[] = [];
  let nrcRef = '';

  const feed = (url: string) => h.api.inject({ method: 'GET', url: new URL(url).pathname });
  const issue = (token: string) =>
    h.api.inject({ method: 'POST', url: '/exports/calendar-token', headers: bearer(token) });

  beforeAll(async () => {
    h = await startHarness();
    acf = await ngoAccount(h);
    nrc = await ngoAccount(h);
    undss = await cellAccount(h, 'undss');
    const submit = async (token: string, hours: number) => {
      const response = await h.api.inject({
        method: 'POST',
        url: '/movements',
        headers: bearer(token),
        payload: convoyNotice(hours, { purpose: 'Vivres; eau, abris\\NFI — Gao' }),
      });
      expect(response.statusCode).toBe(201);
      return response.json().reference as string;
    };
    acfRefs.push(await submit(acf.token, 72), await submit(acf.token, 100));
    nrcRef = await submit(nrc.token, 80);
  });
  afterAll(() => h.close());

  it("an NGO's feed holds one VEVENT per movement of its own organisation, UID per reference", async () => {
    const issued = await issue(acf.token);
    expect(issued.statusCode).toBe(201);
    const { url, rotated } = issued.json();
    expect(rotated).toBe(false);
    expect(url).toMatch(/^http:\/\/hns\.test\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);

    const response = await feed(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(response.headers['cache-control']).toBe('private, max-age=300');
    const calendar = parseIcs(response.body);
    expect(calendar.name).toBe('VCALENDAR');
    expect(prop(calendar, 'VERSION')).toBe('2.0');
    expect(prop(calendar, 'PRODID')).toBeDefined();
    const events = calendar.children.filter((c) => c.name === 'VEVENT');
    expect(events.map((e) => prop(e, 'UID')).sort()).toEqual(acfRefs.map((r) => `${r}@hns`).sort());
    expect(response.body).not.toContain(nrcRef);
    for (const event of events) {
      expect(prop(event, 'DTSTART')).toMatch(/^\d{8}T\d{6}Z$/);
      expect(prop(event, 'DTEND')! > prop(event, 'DTSTART')!).toBe(true);
      expect(prop(event, 'STATUS')).toBe('TENTATIVE');
      expect(prop(event, 'SEQUENCE')).toBe('1');
    }
    // The token is stored hashed only.
    const token = url.split('/').pop().replace('.ics', '');
    const stored = await h.db.query(`SELECT token_sha256 FROM calendar_feed_tokens`);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it("the cell's feed holds every organisation's movements", async () => {
    const { url } = (await issue(undss.token)).json();
    const body = (await feed(url)).body;
    for (const reference of [...acfRefs, nrcRef]) expect(body).toContain(`UID:${reference}@hns`);
  });

  it('rotating makes the old address stop working; revoking ends the feed', async () => {
    const first = (await issue(nrc.token)).json().url;
    const second = await issue(nrc.token);
    expect(second.json().rotated).toBe(true);
    const old = await feed(first);
    expect(old.statusCode).toBe(404);
    expect(old.json().code).toBe('calendar_token_unknown');
    expect((await feed(second.json().url)).statusCode).toBe(200);

    const revoked = await h.api.inject({
      method: 'DELETE',
      url: '/exports/calendar-token',
      headers: bearer(nrc.token),
    });
    expect(revoked.statusCode).toBe(204);
    expect((await feed(second.json().url)).statusCode).toBe(404);
    const audit = await h.db.query(
      `SELECT action FROM audit_events WHERE action LIKE 'calendar_feed.%' AND actor_user_id =
         (SELECT id FROM users WHERE email = $1) ORDER BY id`,
      [nrc.email],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'calendar_feed.issued',
      'calendar_feed.rotated',
      'calendar_feed.revoked',
    ]);
  });

  it("a disabled account's feed stops at once; a made-up address is 404", async () => {
    const { url } = (await issue(acf.token)).json();
    await h.db.query(`UPDATE users SET disabled_at = now() WHERE email = $1`, [acf.email]);
    expect((await feed(url)).statusCode).toBe(404);
    await h.db.query(`UPDATE users SET disabled_at = NULL WHERE email = $1`, [acf.email]);
    expect((await feed(url)).statusCode).toBe(200);
    expect(
      (await h.api.inject({ method: 'GET', url: `/calendar/${'a'.repeat(43)}.ics` })).statusCode,
    ).toBe(404);
    expect((await h.api.inject({ method: 'GET', url: '/calendar/nothing' })).statusCode).toBe(404);
  });
});
