/**
 * Health, unknown routes and wrong methods, and the headers every API response carries.
 */
import { loadApp } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Reply, type Transport } from './support/transports';

let transports: Transport[];
beforeAll(async () => {
  transports = await bothTransports(loadApp());
});
afterAll(async () => Promise.all(transports.map((t) => t.close())));

describe.each(['handlers', 'local server over HTTP'])('routing through the %s', (name) => {
  const transport = () => transports.find((t) => t.name === name)!;

  it('answers GET /api/health with {"ok": true}, without a session', async () => {
    const res = await transport().request('GET', '/api/health');
    expectMatchesSpec('GET', '/api/health', 200, res);
    expect(res.json).toEqual({ ok: true });
    // A bad credential does not matter to health.
    const withJunk = await transport().request('GET', '/api/health', { token: 'junk' });
    expectMatchesSpec('GET', '/api/health', 200, withJunk);
  });

  it.each([
    '/api',
    '/api/',
    '/api/nope',
    '/api/healthz',
    '/api/health/',
    '/api/login/extra',
    '/api/rooms',
    '/api/rooms/lobby',
    '/api/rooms/lobby/messages/1/reactions',
    '/api/rooms/lobby/messages/1/x/y',
    '/api/rooms//messages',
    '/api/Login',
  ])('answers 404 not_found for %s, whatever the method', async (path) => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await transport().request(method, path, method === 'POST' ? { body: {} } : {});
      expectMatchesSpec(method, path, 404, res);
      expect(res.json.error).toEqual({ code: 'not_found', message: expect.any(String) });
    }
  });

  it.each([
    ['/api/login', ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], 'POST'],
    ['/api/session', ['POST', 'PUT', 'DELETE'], 'GET'],
    ['/api/health', ['POST', 'PUT', 'DELETE', 'OPTIONS'], 'GET'],
    ['/api/rooms/lobby/messages', ['PUT', 'DELETE', 'PATCH', 'OPTIONS'], 'GET, POST'],
    ['/api/rooms/a%20b/messages', ['DELETE'], 'GET, POST'],
  ])(
    'answers 405 with Allow on %s for a method it does not take, before any session check',
    async (path, methods, allow) => {
      const template = path.startsWith('/api/rooms/') ? '/api/rooms/{room}/messages' : path;
      for (const method of methods) {
        const res = await transport().request(method, path);
        expectMatchesSpec(method, template, 405, res);
        expect({ method, allow: res.headers.allow, code: res.json.error.code }).toEqual({
          method,
          allow,
          code: 'method_not_allowed',
        });
      }
    },
  );

  it('answers HEAD on a known path with 405 and Allow', async () => {
    const res = await transport().request('HEAD', '/api/health');
    expectMatchesSpec('HEAD', '/api/health', 405, res);
    expect(res.headers.allow).toBe('GET');
  });

  it('puts Content-Type, Cache-Control: no-store and nosniff on every kind of answer', async () => {
    const login = await transport().request('POST', '/api/login', { body: { name: 'Hu' } });
    const token: string = login.json.token;
    const answers: Reply[] = [
      login,
      await transport().request('POST', '/api/login', { body: '{' }),
      await transport().request('GET', '/api/session', { token }),
      await transport().request('GET', '/api/session'),
      await transport().request('GET', '/api/health'),
      await transport().request('GET', '/api/rooms/lobby/messages?limit=1', { token }),
      await transport().request('GET', '/api/rooms/lobby/messages?limit=1&format=xml', { token }),
      await transport().request('GET', '/api/nope'),
      await transport().request('DELETE', '/api/health'),
    ];
    for (const res of answers) {
      expect({
        status: res.status,
        cacheControl: res.headers['cache-control'],
        nosniff: res.headers['x-content-type-options'],
      }).toEqual({
        status: res.status,
        cacheControl: 'no-store',
        nosniff: 'nosniff',
      });
      expect(res.headers['content-type']).toMatch(/^application\/(json|xml); charset=utf-8$/);
    }
  });
});
