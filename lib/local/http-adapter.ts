/**
 * The local stand-in for API Gateway and CloudFront. It turns each HTTP request under /api
 * into a real API Gateway HTTP API (payload 2.0) event for the same handler code that runs
 * in Lambda, checks the handler's result the way API Gateway does, and serves the built page
 * for everything else. It holds no chat logic.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ROUTES, matchPath, routeKey, type FunctionName } from '../../functions/shared/routes';
import { SITE_HEADERS } from '../site-headers';

export type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
export type Handlers = Readonly<Record<FunctionName, Handler>>;

export interface LocalServerOptions {
  readonly handlers: Handlers;
  /** Folder of the built page; omitted: only the API is served. */
  readonly webRoot?: string;
}

/** API Gateway's own limit on a request body. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const TEXT_BODY = /^(application\/(json|x-www-form-urlencoded|xml)|text\/)/i;

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function createRequestListener(options: LocalServerOptions): RequestListener {
  return (req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      console.error('local server: request failed', error);
      if (!res.headersSent) sendGatewayError(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  };
}

export function createLocalServer(options: LocalServerOptions): Server {
  return createServer(createRequestListener(options));
}

async function handle(options: LocalServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    const body = await readBody(req);
    if (body === 'too large') return sendGatewayError(res, 413, 'Request Entity Too Large');
    const method = req.method ?? 'GET';
    const routed = routeRequest(method, url.pathname);
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
    const event = gatewayEvent({ method, url, headers, body, sourceIp, protocol: `HTTP/${req.httpVersion}` }, routed);
    const handler = options.handlers[routed.function];
    let result: unknown;
    try {
      result = await handler(event);
    } catch (error) {
      // In Lambda an uncaught error is an invocation error, which API Gateway answers with 500.
      console.error('local server: handler threw', error);
      return sendGatewayError(res, 500, 'Internal Server Error');
    }
    return sendResult(res, result);
  }
  return serveStatic(options.webRoot, req, url.pathname, res);
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? 'too large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** What API Gateway knows of a request when it builds the event. */
export interface GatewayRequest {
  readonly method: string;
  readonly url: URL;
  /** Header names and values as they arrived, in order (a name may repeat). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
}

export interface RoutedRequest {
  readonly function: FunctionName;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string> | undefined;
}

/** The route API Gateway picks for a request: one of ROUTES, else `$default` (not-found). */
export function routeRequest(method: string, path: string): RoutedRequest {
  for (const route of ROUTES) {
    const pathParameters = route.method === method ? matchPath(route.path, path) : undefined;
    if (pathParameters) return { function: route.function, routeKey: routeKey(route), pathParameters };
  }
  return { function: 'not-found', routeKey: '$default', pathParameters: undefined };
}

/**
 * The payload 2.0 event API Gateway builds: lower-case headers joined by commas, cookies
 * apart, repeated query parameters joined by commas, text bodies as text and anything else
 * (or text that is not valid UTF-8) base64-encoded, so the handler sees the bytes sent.
 */
export function gatewayEvent(request: GatewayRequest, routed: RoutedRequest): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [rawName, value] of request.headers) {
    const name = rawName.toLowerCase();
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-for'] ??= request.sourceIp;

  const query: Record<string, string> = {};
  for (const [key, value] of request.url.searchParams) query[key] = query[key] === undefined ? value : `${query[key]},${value}`;

  const { body, url, method } = request;
  const now = new Date();
  const isText = TEXT_BODY.test(headers['content-type'] ?? '') && isUtf8(body);
  const host = headers.host ?? 'localhost';

  return {
    version: '2.0',
    routeKey: routed.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(routed.pathParameters && Object.keys(routed.pathParameters).length ? { pathParameters: routed.pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      http: { method, path: url.pathname, protocol: request.protocol, sourceIp: request.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: routed.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Writes a handler's result, or 500 as API Gateway does when the result is malformed. */
function sendResult(res: ServerResponse, result: unknown): void {
  const problem = resultProblem(result);
  if (problem) {
    console.error(`local server: malformed handler result (${problem})`);
    return sendGatewayError(res, 500, 'Internal Server Error');
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  for (const [name, value] of Object.entries(r.headers ?? {})) res.setHeader(name, String(value));
  if (r.cookies?.length) res.setHeader('Set-Cookie', r.cookies);
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8');
  res.setHeader('Content-Length', body.length);
  res.writeHead(r.statusCode ?? 200);
  res.end(body);
}

export function resultProblem(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return 'not an object';
  const r = result as Record<string, unknown>;
  if (!Number.isInteger(r.statusCode) || (r.statusCode as number) < 100 || (r.statusCode as number) > 599) {
    return 'statusCode must be an integer from 100 to 599';
  }
  if (r.body !== undefined && typeof r.body !== 'string') return 'body must be a string';
  if (r.isBase64Encoded !== undefined && typeof r.isBase64Encoded !== 'boolean') return 'isBase64Encoded must be boolean';
  if (r.headers !== undefined) {
    if (typeof r.headers !== 'object' || r.headers === null) return 'headers must be an object';
    for (const value of Object.values(r.headers)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) return 'header values must be strings';
    }
  }
  if (r.cookies !== undefined && !(Array.isArray(r.cookies) && r.cookies.every((c) => typeof c === 'string'))) {
    return 'cookies must be an array of strings';
  }
  return undefined;
}

function sendGatewayError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
};

/** The page's files, as CloudFront serves them from the bucket: `/` is index.html. */
function serveStatic(webRoot: string | undefined, req: IncomingMessage, pathname: string, res: ServerResponse): void {
  const plain = (status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SITE_HEADERS, ...extra });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
  if (!webRoot) return plain(404, 'Not Found');
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return plain(400, 'Bad Request');
  }
  const folder = resolve(webRoot);
  const file = join(folder, normalize(decoded === '/' ? '/index.html' : decoded));
  if (!file.startsWith(folder + sep)) return plain(404, 'Not Found');
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return plain(404, 'Not Found');
    size = stat.size;
  } catch {
    return plain(404, 'Not Found');
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': extname(file) === '.html' ? 'no-cache' : 'public, max-age=300',
    ...SITE_HEADERS,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
