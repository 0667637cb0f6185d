/**
 * Builds the chat for a test file, optionally with its own configuration (for example the
 * send limit turned off), and calls handlers the way API Gateway would.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfig } from '#lib/config';
import { createServices, type ChatServices, type ServiceOverrides } from '#lib/services';
import { createHandlers, type Handlers } from '#http/handlers';
import { gatewayEvent, routeRequest } from '#local/gateway-event';
import { createLocalServer, listen } from '#local/server';

export interface App {
  readonly handlers: Handlers;
  readonly messageLog: ChatServices['messageLog'];
  readonly services: ChatServices;
}

/**
 * A fresh chat, as one Lambda instance or one local server would be: its own store client,
 * caches and configuration, built from the run's environment with `env` on top. Several
 * apps in one test are several instances sharing the one store.
 */
export function loadApp(env: Record<string, string> = {}, overrides: ServiceOverrides = {}): App {
  const services = createServices(loadConfig({ ...process.env, ...env }), overrides);
  return { handlers: createHandlers(services), messageLog: services.messageLog, services };
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

/** A payload 2.0 event as API Gateway builds it for `method url`, over HTTPS. */
export function apiEvent(method: string, url: string, options: CallOptions = {}): APIGatewayProxyEventV2 {
  const given = Object.entries(options.headers ?? {});
  const defaults: [string, string][] = [
    ['host', 'localhost'],
    ['x-forwarded-proto', 'https'],
  ];
  // The caller's headers replace the defaults of the same name.
  const headers = [...defaults.filter(([name]) => !given.some(([g]) => g.toLowerCase() === name)), ...given];
  let body = Buffer.alloc(0);
  if (options.body !== undefined) {
    body = Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body), 'utf8');
    if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) {
      headers.push(['content-type', options.contentType ?? 'application/json']);
    }
  }
  if (options.token !== undefined) headers.push(['authorization', `Bearer ${options.token}`]);
  if (options.cookies) headers.push(['cookie', options.cookies.join('; ')]);
  const parsed = new URL(url, 'http://localhost');
  const request = { method, url: parsed, headers, body, sourceIp: '127.0.0.1', protocol: 'HTTP/1.1' };
  return gatewayEvent(request, routeRequest(method, parsed.pathname));
}

/** Routes `method url` to its handler, as API Gateway does, and returns the parsed result. */
export async function call(app: App, method: string, url: string, options: CallOptions = {}): Promise<CallResult> {
  const event = apiEvent(method, url, options);
  const result = await app.handlers[routeRequest(method, event.rawPath).function](event);
  const text = result.body ?? '';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return { status: result.statusCode ?? 200, headers, cookies: result.cookies ?? [], text, json };
}

export const uniqueRoom = (prefix = 'r'): string => `${prefix}-${randomBytes(8).toString('hex')}`;

/** Logs in a fresh user and returns the token. */
export async function login(
  app: App,
  name = `tester-${randomBytes(3).toString('hex')}`,
): Promise<{ token: string; uid: string; name: string }> {
  const res = await call(app, 'POST', '/api/login', { body: { name } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return { token: res.json.token, uid: res.json.uid, name: res.json.name };
}

/** The local server (the API, and the page when `webRoot` is given) in this process, on `port` (0: any free one). */
export async function startLocalServer(
  app: App,
  webRoot?: string,
  port = 0,
): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const server = createLocalServer({ handlers: app.handlers, webRoot });
  const bound = await listen(server, port, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
