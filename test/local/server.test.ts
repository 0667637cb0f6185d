/** The local stand-in for API Gateway passes requests and checks results the way API Gateway does. */
import { Agent, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Handlers } from '#http/handlers';
import { resultProblem } from '#local/gateway-result';
import { answerStarting, createHttpServer, createLocalServer, MAX_HEADER_BYTES } from '#local/server';
import { loadApp, startLocalServer, uniqueRoom } from '#test/support/app';
import { rawRequest, type RawReply } from '#test/support/raw-http';

describe('the local API Gateway stand-in', () => {
  it('hands a body that is not valid UTF-8 to the handler as bytes, which refuses it', async () => {
    const server = await startLocalServer(loadApp());
    try {
      const body = Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
      const res = await rawRequest(`${server.url}/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
        body,
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body.toString()).error.code).toBe('invalid_json');
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

describe('what the local server answers before a handler can', () => {
  const serve = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const expectApiError = (res: RawReply, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const body = JSON.parse(res.body.toString());
    expect(body).toEqual({ error: { code, message: expect.any(String) } });
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
  };

  it('answers 503 unavailable as JSON, with Retry-After, no-store and nosniff, while the chat starts', async () => {
    const server = createHttpServer(answerStarting);
    const base = await serve(server);
    try {
      for (const path of ['/api/health', '/api/rooms/lobby/messages', '/']) {
        const res = await rawRequest(`${base}${path}`);
        expectApiError(res, 503, 'unavailable');
        expect(res.headers['retry-after']).toBe('1');
      }
    } finally {
      await close(server);
    }
  });

  it('answers request headers over 16 KiB with 431 and the JSON error body, also on a kept-alive connection', async () => {
    const server = createLocalServer({ handlers: loadApp().handlers });
    const base = await serve(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = { 'X-Padding': 'a'.repeat(MAX_HEADER_BYTES) };
      expectApiError(await rawRequest(`${base}/api/health`, { headers: big }), 431, 'headers_too_large');

      // Headers within the limit are served; then the same connection gets the JSON 431 too.
      const fits = await rawRequest(`${base}/api/health`, { agent, headers: { 'X-Padding': 'a'.repeat(15_000) } });
      expect(fits.status).toBe(200);
      expectApiError(await rawRequest(`${base}/api/health`, { agent, headers: big }), 431, 'headers_too_large');
    } finally {
      agent.destroy();
      await close(server);
    }
  });

  it('answers a request it cannot parse with a bare 400, as Node does', async () => {
    const server = createLocalServer({ handlers: loadApp().handlers });
    const base = new URL(await serve(server));
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(base.port), '127.0.0.1', () => socket.write('NOT HTTP\r\n\r\n'));
        let text = '';
        socket.on('data', (c) => (text += c.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    } finally {
      await close(server);
    }
  });
});
