/** The local stand-in for API Gateway passes requests and checks results the way API Gateway does. */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Handlers } from '#http/handlers';
import { resultProblem } from '#local/gateway-result';
import { createLocalServer } from '#local/server';
import { loadApp, startLocalServer, uniqueRoom } from '#test/support/app';

function post(url: string, body: Buffer, contentType: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'Content-Type': contentType, 'Content-Length': body.length } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local API Gateway stand-in', () => {
  it('hands a body that is not valid UTF-8 to the handler as bytes, which refuses it', async () => {
    const server = await startLocalServer(loadApp());
    try {
      const res = await post(
        `${server.url}/api/login`,
        Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        'application/json',
      );
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).error.code).toBe('invalid_json');
    } finally {
      await server.close();
    }
  });

  it('answers 500 like API Gateway when a handler returns a malformed result or throws', async () => {
    const broken = (async () => ({ statusCode: 'ok' })) as unknown as Handlers['health'];
    const throwing: Handlers['health'] = async () => {
      throw new Error('boom');
    };
    const handlers = { ...loadApp().handlers, health: broken, 'get-session': throwing };
    const server = createLocalServer({ handlers });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (const path of ['/api/health', '/api/session']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(500);
        expect(await res.json()).toEqual({ message: 'Internal Server Error' });
      }
    } finally {
      quiet.mockRestore();
      server.close();
    }
  });

  it('names what is wrong with a result', () => {
    expect(resultProblem({ statusCode: 200, body: '{}', headers: { a: 'b' } })).toBeUndefined();
    expect(resultProblem(null)).toBe('not an object');
    expect(resultProblem({ statusCode: 99 })).toMatch(/statusCode/);
    expect(resultProblem({ statusCode: 200, body: {} })).toMatch(/body/);
    expect(resultProblem({ statusCode: 200, headers: { a: {} } })).toMatch(/header/);
    expect(resultProblem({ statusCode: 200, cookies: 'a=b' })).toMatch(/cookies/);
  });

  it('serves the page files and nothing outside the page folder', async () => {
    const server = await startLocalServer(loadApp(), `${__dirname}/../../web`);
    try {
      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2Fpackage.json', '/nope.html']) {
        expect((await fetch(`${server.url}${path}`)).status).toBe(404);
      }
      expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('joins repeated query parameters with commas, as API Gateway does, so a doubled cursor is refused', async () => {
    const app = loadApp();
    const server = await startLocalServer(app);
    try {
      const login = await fetch(`${server.url}/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"name":"q"}',
      });
      const { token } = (await login.json()) as { token: string };
      const res = await fetch(`${server.url}/api/rooms/${uniqueRoom()}/messages?after=1&after=2`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
    } finally {
      await server.close();
    }
  });
});
