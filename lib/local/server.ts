/**
 * The local stand-in for API Gateway and CloudFront: each HTTP request under /api becomes a
 * payload 2.0 event for the same handler code that runs in Lambda, its result is checked as
 * API Gateway checks it, and everything else is the built page. It holds no chat logic.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { countShed } from '#aws/metrics';
import { ApiError, unavailable } from '#http/errors';
import type { Handlers } from '#http/handlers';
import { errorResult, type HttpResult } from '#http/responses';
import type { Admission } from './admission';
import { gatewayEvent, routeRequest } from './gateway-event';
import { sendGatewayError, sendResult } from './gateway-result';
import { createStaticFiles, type StaticFiles } from './static-files';

export interface LocalServerOptions {
  readonly handlers: Handlers;
  /** Folder of the built page; omitted: only the API is served. */
  readonly webRoot?: string;
  /** Sheds API requests under overload; omitted: every request is taken. */
  readonly admission?: Admission;
}

/** What a shed request is answered: the contract's 503, at once. */
const SHED = errorResult(unavailable(1));

/** API Gateway's own limit on a request body. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** The limit on a request's headers (Node's default, made explicit): past it, 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** While the chat starts, every request is answered at once: come back in a second. */
const STARTING = errorResult(unavailable(1, 'the chat is starting: try again in a moment'));

const HEADERS_TOO_LARGE = errorResult(
  new ApiError('headers_too_large', `the request headers must be at most ${MAX_HEADER_BYTES} bytes`),
);

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The answer while the chat is starting (the port is bound before the store is up). */
export const answerStarting: RequestListener = (_req, res) => sendResult(res, STARTING);

/**
 * The HTTP server for a listener, with the local server's limits. Node answers a request it
 * cannot parse itself, before any listener sees it; headers over the limit get the API's
 * JSON error (431) here instead of a bare status line, other malformed requests what Node sends.
 */
export function createHttpServer(listener: RequestListener): Server {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, listener);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node does: answer only where no response of this connection has begun (Node keeps
    // the response in progress as the socket's _httpMessage).
    const inProgress = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (socket.writable && !inProgress?.headersSent) {
      socket.write(error.code === 'HPE_HEADER_OVERFLOW' ? rawResponse(HEADERS_TOO_LARGE) : nodeDefault(error.code));
    }
    socket.destroy(error);
  });
  return server;
}

/** A complete HTTP/1.1 response that closes the connection, for a socket without a request. */
function rawResponse(result: HttpResult): string {
  const body = result.body ?? '';
  const headers = { ...result.headers, 'Content-Length': Buffer.byteLength(body), Connection: 'close' };
  const status = `HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode ?? 500]}`;
  return `${[status, ...Object.entries(headers).map(([n, v]) => `${n}: ${v}`)].join('\r\n')}\r\n\r\n${body}`;
}

/** What Node answers a malformed request when nobody listens for 'clientError'. */
function nodeDefault(code: string | undefined): string {
  const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`;
}

export function createRequestListener(options: LocalServerOptions): RequestListener {
  const staticFiles = createStaticFiles(options.webRoot);
  return (req, res) => {
    handle(options, staticFiles, req, res).catch((error: unknown) => {
      console.error('local server: request failed', error);
      if (!res.headersSent) sendGatewayError(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  };
}

export function createLocalServer(options: LocalServerOptions): Server {
  return createHttpServer(createRequestListener(options));
}

async function handle(
  options: LocalServerOptions,
  staticFiles: StaticFiles,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    // Health stays answered under load: it costs nothing and tells a watcher the server lives.
    const admission = url.pathname === '/api/health' ? undefined : options.admission;
    if (admission && !admission.tryEnter()) {
      countShed();
      return sendResult(res, SHED);
    }
    try {
      return await handleApi(options, req, res, url);
    } finally {
      admission?.leave();
    }
  }
  return staticFiles(req, url.pathname, res);
}

async function handleApi(
  options: LocalServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
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

/** Listens on `port` (0: any free one) at `host`; rejects when the port cannot be had. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolveListen(typeof address === 'object' && address ? address.port : port);
    });
  });
}
