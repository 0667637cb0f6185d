/**
 * v2 login limit: 10 logins a minute per client address, bursts of 5 (here on a given clock,
 * as the sole writer keeps it in memory; and in the store, shared by two instances). The
 * address is the TCP peer locally, or the header the edge in front writes (CloudFront's viewer
 * address in AWS); a client's own X-Forwarded-For never changes whose allowance is used.
 */
import { runInNewContext } from 'node:vm';
import { VIEWER_ADDRESS_HEADER } from '#stack/chat-functions';
import { viewerAddressCode } from '#stack/chat-site';
import { loadApp, type App } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Transport, viaHandlers } from './support/transports';

const LIMIT = { CHAT_LOGIN_RATE: '10', CHAT_LOGIN_BURST: '5' };
const login = (t: Transport, headers: Record<string, string> = {}, name = 'Mei') =>
  t.request('POST', '/api/login', { body: { name }, headers });

describe('the login limit, as the sole writer keeps it (memory, a given clock)', () => {
  let clock = Date.parse('2026-12-02T10:00:00Z');
  let transports: Transport[];
  beforeAll(async () => {
    const app = loadApp({ ...LIMIT, CHAT_SOLE_WRITER: '1' }, { now: () => clock });
    transports = await bothTransports(app);
  });
  afterAll(async () => Promise.all(transports.map((t) => t.close())));

  it.each(['handlers', 'local server over HTTP'])(
    'through the %s: the 6th login in a burst is 429 with Retry-After, a forged X-Forwarded-For changes nothing',
    async (name) => {
      const t = transports.find((x) => x.name === name)!;
      clock += 10 * 60_000; // a fresh allowance for this address
      for (let i = 0; i < 5; i++) {
        const res = await login(t, { 'x-forwarded-for': `203.0.113.${i}` });
        expect(res.status).toBe(200);
      }
      const refused = await login(t, { 'x-forwarded-for': '198.51.100.7' });
      expectMatchesSpec('POST', '/api/login', 429, refused);
      expect(refused.json.error.code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBe(6);
      // A refused name is checked first and takes nothing.
      expect((await login(t, {}, '   ')).json.error.code).toBe('invalid_name');
      // 10 a minute: one more every 6 s.
      clock += 6_000;
      expect((await login(t)).status).toBe(200);
      expect((await login(t)).status).toBe(429);
    },
  );
});

describe('the login limit behind an edge that reports the client address', () => {
  const clock = Date.parse('2026-12-02T11:00:00Z');
  let app: App;
  beforeAll(() => {
    app = loadApp(
      { ...LIMIT, CHAT_SOLE_WRITER: '1', CHAT_CLIENT_ADDRESS_HEADER: VIEWER_ADDRESS_HEADER },
      { now: () => clock },
    );
  });

  it('counts per reported address, never per X-Forwarded-For, and IPv6 per /64', async () => {
    const t = viaHandlers(app);
    const from = (address: string, forwarded = '192.0.2.1') => ({
      [VIEWER_ADDRESS_HEADER]: address,
      'x-forwarded-for': forwarded,
    });
    for (let i = 0; i < 5; i++) expect((await login(t, from('198.51.100.10', `10.0.0.${i}`))).status).toBe(200);
    expect((await login(t, from('198.51.100.10', '10.9.9.9'))).status).toBe(429);
    expect((await login(t, from('198.51.100.11'))).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login(t, from(`2001:db8:1:2::${i + 1}`))).status).toBe(200);
    expect((await login(t, from('2001:db8:1:2:ffff::9'))).status).toBe(429);
    expect((await login(t, from('2001:db8:1:3::1'))).status).toBe(200);
  });

  it("is fed by the stack's viewer-request function, which overwrites what the viewer sent", () => {
    const request = { headers: { [VIEWER_ADDRESS_HEADER]: { value: '10.0.0.1' } } };
    const out = runInNewContext(`${viewerAddressCode(VIEWER_ADDRESS_HEADER)}; handler(event)`, {
      event: { request, viewer: { ip: '198.51.100.10' } },
    });
    expect(out.headers[VIEWER_ADDRESS_HEADER]).toEqual({ value: '198.51.100.10' });
  });
});

describe('the login limit in the store, shared by two instances', () => {
  it('refuses the 6th login from one address whichever instance takes it', async () => {
    const header = 'x-test-client';
    const env = { ...LIMIT, CHAT_SOLE_WRITER: '0', CHAT_CLIENT_ADDRESS_HEADER: header };
    const [one, two] = [viaHandlers(loadApp(env)), viaHandlers(loadApp(env))];
    // An address of its own, so that no other run of this test shares its allowance.
    const address = { [header]: `192.0.2.${Math.floor(Math.random() * 250) + 1}`, 'x-forwarded-for': '1.2.3.4' };
    const other = { [header]: '2001:db8:ffff::1' };
    await login(one, other); // the other address is untouched by what follows
    for (const t of [one, two, one, two, one]) expect((await login(t, address)).status).toBe(200);
    expect((await login(two, address)).status).toBe(429);
    expect((await login(one, address)).status).toBe(429);
    expect((await login(two, other)).status).toBe(200);
  });
});
