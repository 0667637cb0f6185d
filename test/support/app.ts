/**
 * Loads the chat's modules for a test file, optionally with its own configuration (for
 * example the send limit turned off), and calls handlers the way API Gateway would.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Handlers } from '../../lib/local/http-adapter';
import type * as MessageLog from '../../functions/shared/message-log';
import { ROUTES, matchPath, routeKey } from '../../functions/shared/routes';

export interface App {
  readonly handlers: Handlers;
  readonly messageLog: typeof MessageLog;
}

/** Fresh module instances (own caches, own config) with `env` applied on top of the run's environment. */
export function loadApp(env: Record<string, string> = {}): App {
  Object.assign(process.env, env);
  let app: App | undefined;
  jest.isolateModules(() => {
    app = {
      handlers: require('../../lib/local/handlers').handlers,
      messageLog: require('../../functions/shared/message-log'),
    };
    // Read the configuration now, while `env` is in force, not at the first request.
    require('../../functions/shared/config').config();
  });
  return app!;
}

export interface CallOptions {
  readonly body?: string | object;
  readonly contentType?: string;
  readonly token?: string;
  readonly cookies?: string[];
  readonly headers?: Record<string, string>;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly cookies: string[];
  readonly text: string;
  /** The body parsed as JSON when it is JSON */
  readonly json: any;
}

/** A payload 2.0 event as API Gateway builds it for `method url`. */
export function apiEvent(method: string, url: string, options: CallOptions = {}): APIGatewayProxyEventV2 {
  const parsed = new URL(url, 'http://localhost');
  const route = ROUTES.find((r) => r.method === method && matchPath(r.path, parsed.pathname));
  const pathParameters = route ? matchPath(route.path, parsed.pathname) : undefined;
  const headers: Record<string, string> = { host: 'localhost', 'x-forwarded-proto': 'https', ...lower(options.headers) };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= options.contentType ?? 'application/json';
  }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const query: Record<string, string> = {};
  for (const [k, v] of parsed.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const key = route ? routeKey(route) : '$default';
  return {
    version: '2.0',
    routeKey: key,
    rawPath: parsed.pathname,
    rawQueryString: parsed.search.slice(1),
    ...(options.cookies ? { cookies: options.cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(pathParameters && Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: parsed.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: randomBytes(8).toString('hex'),
      routeKey: key,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

function lower(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Routes `method url` to its handler, as API Gateway does, and returns the parsed result. */
export async function call(app: App, method: string, url: string, options: CallOptions = {}): Promise<CallResult> {
  const event = apiEvent(method, url, options);
  const route = ROUTES.find((r) => r.method === method && matchPath(r.path, event.rawPath));
  const result = await app.handlers[route?.function ?? 'not-found'](event);
  const text = result.body ?? '';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { status: result.statusCode ?? 200, headers, cookies: result.cookies ?? [], text, json };
}

export const uniqueRoom = (prefix = 'r'): string => `${prefix}-${randomBytes(8).toString('hex')}`;

/** Logs in a fresh user and returns the token. */
export async function login(app: App, name = `tester-${randomBytes(3).toString('hex')}`): Promise<{ token: string; uid: string; name: string }> {
  const res = await call(app, 'POST', '/api/login', { body: { name } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return { token: res.json.token, uid: res.json.uid, name: res.json.name };
}

/** The local server on a free port, in this process, for tests over real HTTP. */
export async function startLocalServer(app: App, webRoot?: string): Promise<{ url: string; close: () => Promise<void> }> {
  const { createLocalServer } = require('../../lib/local/http-adapter') as typeof import('../../lib/local/http-adapter');
  const server: Server = createLocalServer({ handlers: app.handlers, webRoot });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
