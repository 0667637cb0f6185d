/**
 * v2 addition: "use this chat on another device". A one-time code logs a second device in as
 * the same person (uid and name): it works once (also when two devices race with it), expires
 * after 10 minutes (a given clock), and a forged or malformed code gets nothing.
 */
import { loadApp, type App } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Transport } from './support/transports';

const LINK = '/api/session/link';

describe.each([
  ['sole writer', { CHAT_SOLE_WRITER: '1' }],
  ['shared store', { CHAT_SOLE_WRITER: '0' }],
] as const)('device links, %s', (_, env) => {
  let clock = Date.parse('2026-12-02T09:00:00Z');
  let app: App;
  let transports: Transport[];
  beforeAll(async () => {
    app = loadApp(env, { now: () => clock });
    transports = await bothTransports(app);
  });
  afterAll(async () => Promise.all(transports.map((t) => t.close())));

  describe.each(['handlers', 'local server over HTTP'])('through the %s', (name) => {
    const t = () => transports.find((x) => x.name === name)!;
    const loginWith = (body: object) => t().request('POST', '/api/login', { body });
    const newLink = async (token: string) => {
      const res = await t().request('POST', LINK, { token });
      expectMatchesSpec('POST', LINK, 200, res);
      return res.json as { code: string; expiresAt: string };
    };

    it('logs another device in as the same person, once', async () => {
      const first = (await loginWith({ name: '小明' })).json;
      const { code, expiresAt } = await newLink(first.token);
      expect(Date.parse(expiresAt) - clock).toBe(10 * 60_000);
      const second = await loginWith({ link: code });
      expectMatchesSpec('POST', '/api/login', 200, second);
      expect(second.json).toMatchObject({ uid: first.uid, name: '小明' });
      expect(second.json.token).not.toBe(first.token);
      // The new device's session is a session like any other.
      const me = await t().request('GET', '/api/session', { token: second.json.token });
      expect(me.json).toMatchObject({ uid: first.uid, name: '小明' });

      const again = await loginWith({ link: code });
      expectMatchesSpec('POST', '/api/login', 401, again);
      expect(again.json.error.code).toBe('unauthorized');
    });

    it('lets only one of two devices racing with one code in', async () => {
      const { token } = (await loginWith({ name: 'Ana' })).json;
      const { code } = await newLink(token);
      const answers = await Promise.all(Array.from({ length: 4 }, () => loginWith({ link: code })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401]);
    });

    it('refuses a code after its 10 minutes', async () => {
      const { token } = (await loginWith({ name: 'Late' })).json;
      const { code } = await newLink(token);
      clock += 10 * 60_000;
      expect((await loginWith({ link: code })).status).toBe(401);
    });

    it('refuses a forged code with 401, and a malformed one or a name beside it with 400 invalid_link', async () => {
      const forged = await loginWith({ link: 'AAAAAAAAAAAAAAAAAAAAAA' });
      expectMatchesSpec('POST', '/api/login', 401, forged);
      const { token } = (await loginWith({ name: 'Both' })).json;
      const { code } = await newLink(token);
      for (const body of [{ link: 'short' }, { link: 42 }, { link: code, name: 'Someone' }]) {
        const res = await loginWith(body);
        expectMatchesSpec('POST', '/api/login', 400, res);
        expect(res.json.error.code).toBe('invalid_link');
      }
      // Those refusals did not use the code up.
      expect((await loginWith({ link: code })).status).toBe(200);
    });

    it('makes a code only for a session', async () => {
      const res = await t().request('POST', LINK);
      expectMatchesSpec('POST', LINK, 401, res);
    });
  });
});
