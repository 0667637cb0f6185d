/**
 * POST /api/login: a name in, a signed session out, as JSON and as an HttpOnly cookie.
 * Every response is checked against openapi.yaml; each case runs through the handlers and
 * through the local server over HTTP.
 */
import { loadApp } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Reply, type Transport } from './support/transports';

const DAY_MS = 24 * 60 * 60 * 1000;
const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  contentType: 'application/x-www-form-urlencoded',
});

let transports: Transport[];
beforeAll(async () => {
  transports = await bothTransports(loadApp());
});
afterAll(async () => Promise.all(transports.map((t) => t.close())));

describe.each(['handlers', 'local server over HTTP'])('POST /api/login through the %s', (name) => {
  const transport = () => transports.find((t) => t.name === name)!;
  const login = async (options: Parameters<Transport['request']>[2], status = 200): Promise<Reply> => {
    const res = await transport().request('POST', '/api/login', options);
    expectMatchesSpec('POST', '/api/login', status, res);
    return res;
  };
  const expectRefused = async (options: Parameters<Transport['request']>[2], status: number, code: string) => {
    const res = await login(options, status);
    expect(res.json.error.code).toBe(code);
    expect(res.cookies).toEqual([]);
  };

  it('logs in with a JSON name and answers a token, the name, a uid and when the session ends', async () => {
    const before = Date.now();
    const res = await login({ body: { name: '小明' } });

    expect(res.json.name).toBe('小明');
    expect(res.json.uid).toMatch(/^u_[0-9a-f]{16}$/);
    const expiresAt = Date.parse(res.json.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + DAY_MS - 2000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + DAY_MS + 1000);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');

    const session = await transport().request('GET', '/api/session', { token: res.json.token });
    expectMatchesSpec('GET', '/api/session', 200, session);
    expect(session.json).toEqual({ name: '小明', uid: res.json.uid, expiresAt: res.json.expiresAt });
  });

  it('logs in with the classic form field username=, as the login form sends it', async () => {
    const res = await login(form({ username: '小明' }));
    expect(res.json.name).toBe('小明');
  });

  it('takes name= in a form too, and name over username= when a form has both', async () => {
    expect((await login(form({ name: 'Ana' }))).json.name).toBe('Ana');
    expect((await login(form({ username: 'Di', name: 'Cy' }))).json.name).toBe('Cy');
  });

  it('takes username= from a form only: a JSON body carries name, or it is 400 invalid_name', async () => {
    await expectRefused({ body: { username: 'Bo' } }, 400, 'invalid_name');
    expect((await login({ body: { name: 'Cy', username: 'Di' } })).json.name).toBe('Cy');
  });

  it('refuses a form whose percent-escapes are not UTF-8 with 400 invalid_name', async () => {
    for (const body of ['username=%FF', 'username=Jos%E9', 'name=%C3', 'username=Ana&x=%FF']) {
      await expectRefused({ body, contentType: 'application/x-www-form-urlencoded' }, 400, 'invalid_name');
    }
    const escaped = { body: 'username=%E5%B0%8F%E6%98%8E', contentType: 'application/x-www-form-urlencoded' };
    expect((await login(escaped)).json.name).toBe('小明');
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, on /api, and Secure only over HTTPS', async () => {
    const plain = await login({ body: { name: 'Eve' }, headers: { 'x-forwarded-proto': 'http' } });
    expect(plain.cookies).toEqual([`session=${plain.json.token}; HttpOnly; SameSite=Strict; Path=/api; Max-Age=86400`]);

    const secure = await login({ body: { name: 'Eve' }, headers: { 'x-forwarded-proto': 'https' } });
    expect(secure.cookies).toEqual([
      `session=${secure.json.token}; HttpOnly; SameSite=Strict; Path=/api; Max-Age=86400; Secure`,
    ]);
  });

  it('gives two people who pick the same name different uids', async () => {
    const first = await login({ body: { name: 'Sam' } });
    const second = await login({ body: { name: 'Sam' } });
    expect(second.json.uid).not.toBe(first.json.uid);
    expect(second.json.token).not.toBe(first.json.token);
  });

  it('normalises the name to NFC and trims white space at both ends', async () => {
    expect((await login({ body: { name: 'Jose\u0301' } })).json.name).toBe('Jos\u00e9');
    expect((await login({ body: { name: '  小明 \t\n' } })).json.name).toBe('小明');
    expect((await login({ body: { name: '\u3000Ana\u00a0' } })).json.name).toBe('Ana');
    expect((await login({ body: { name: 'Ana  Bo' } })).json.name).toBe('Ana  Bo');
  });

  it('counts 1 to 32 code points, after normalising', async () => {
    expect((await login({ body: { name: 'a' } })).json.name).toBe('a');
    expect((await login({ body: { name: '名'.repeat(32) } })).json.name).toBe('名'.repeat(32));
    // 32 astral characters are 64 UTF-16 units and still 32 characters.
    expect((await login({ body: { name: '😀'.repeat(32) } })).json.name).toBe('😀'.repeat(32));
    // 33 code points as sent, 32 once e + combining accent is composed.
    expect((await login({ body: { name: `${'a'.repeat(31)}e\u0301` } })).json.name).toBe(`${'a'.repeat(31)}\u00e9`);

    await expectRefused({ body: { name: '名'.repeat(33) } }, 400, 'invalid_name');
    await expectRefused({ body: { name: '😀'.repeat(33) } }, 400, 'invalid_name');
    await expectRefused({ body: { name: '' } }, 400, 'invalid_name');
    await expectRefused({ body: { name: ' \t\n\u3000' } }, 400, 'invalid_name');
    await expectRefused(form({ username: '' }), 400, 'invalid_name');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['BEL', 'a\u0007b'],
    ['a line feed inside', 'a\nb'],
    ['ESC', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
    ['NEL (C1)', 'a\u0085b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('refuses a name with %s', async (_what, name) => {
    await expectRefused({ body: { name } }, 400, 'invalid_name');
  });

  it('refuses a name that is not a string, or missing', async () => {
    for (const body of [
      { name: 5 },
      { name: null },
      { name: ['a'] },
      { name: { first: 'a' } },
      { name: true },
      {},
      { user: 'a' },
    ]) {
      await expectRefused({ body }, 400, 'invalid_name');
    }
  });

  it('refuses a body that is not a JSON object as invalid_json', async () => {
    for (const body of ['{"name": "a"', '["a"]', '"a"', 'null', '42', '', '{name: "a"}']) {
      await expectRefused({ body }, 400, 'invalid_json');
    }
  });

  it('refuses a body neither JSON nor form-encoded, or not UTF-8, with 415', async () => {
    await expectRefused({ body: 'name=a', contentType: 'text/plain' }, 415, 'unsupported_media_type');
    await expectRefused({ body: '<name>a</name>', contentType: 'application/xml' }, 415, 'unsupported_media_type');
    await expectRefused(
      { body: '{"name":"a"}', contentType: 'application/json; charset=iso-8859-1' },
      415,
      'unsupported_media_type',
    );
    await expectRefused(
      { body: 'username=a', contentType: 'application/x-www-form-urlencoded; charset=latin1' },
      415,
      'unsupported_media_type',
    );
    await expectRefused(
      { body: '--x\r\n\r\nname=a\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
      415,
      'unsupported_media_type',
    );
    // The charset parameter is case-insensitive and may be quoted.
    expect((await login({ body: '{"name":"a"}', contentType: 'application/json; charset=UTF-8' })).json.name).toBe('a');
    expect((await login({ body: '{"name":"a"}', contentType: 'Application/JSON;charset="utf-8"' })).json.name).toBe(
      'a',
    );
  });

  it('refuses a body over 16 KiB with 413, before looking at it', async () => {
    const padding = 16 * 1024 - '{"name":"a","pad":""}'.length;
    expect((await login({ body: `{"name":"a","pad":"${'x'.repeat(padding)}"}` })).json.name).toBe('a');
    await expectRefused({ body: `{"name":"a","pad":"${'x'.repeat(padding + 1)}"}` }, 413, 'payload_too_large');
    // Counted in bytes: 6000 three-byte characters are 18000 bytes.
    await expectRefused({ body: { name: 'a', pad: '字'.repeat(6000) } }, 413, 'payload_too_large');
  });
});
