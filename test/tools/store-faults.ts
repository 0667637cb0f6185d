/**
 * Fault injection for the local server: a small HTTP proxy that the local server puts between
 * the handlers and DynamoDB Local when `CHAT_FAULTS` is set, so that tests and people can see
 * how the chat behaves when its store is down, slow or throttling. It lives in lib/local only:
 * no Lambda bundle imports it, and without `CHAT_FAULTS` it is not started at all.
 *
 * A fault is written as `mode[:detail][@share]`:
 *
 * | fault                  | what the handlers' store client sees                                  |
 * |------------------------|-----------------------------------------------------------------------|
 * | `off`                  | nothing: requests pass through (and are counted)                       |
 * | `unavailable`          | connection refused: the store is down                                  |
 * | `unavailable:reset`    | the connection is reset before the request reaches the store          |
 * | `unavailable:503`      | HTTP 503 `ServiceUnavailable` from the store                           |
 * | `lost-reply`           | the store does the work, then the connection is reset before the answer |
 * | `slow:<ms>`            | every answer arrives `<ms>` later (the work is already done)           |
 * | `throttle`             | HTTP 400 `ProvisionedThroughputExceededException`                      |
 *
 * `@<share>` (0 to 1) applies the fault to that share of requests only, e.g. `throttle@0.3`
 * (not for `unavailable`, which closes the port for everyone).
 *
 * The fault can be changed while the server runs, through a control port on 127.0.0.1
 * (`CHAT_FAULTS_PORT`, a free port when unset; the server prints it):
 *   curl http://127.0.0.1:PORT/faults                          → {"fault": ..., "forwarded": {...}, "injected": n}
 *   curl -X PUT --data 'unavailable' http://127.0.0.1:PORT/faults
 * and in-process through `StoreFaultProxy.set`.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type StoreFault =
  | { readonly mode: 'off' }
  | { readonly mode: 'unavailable'; readonly how: 'refuse' | 'reset' | '503' }
  | { readonly mode: 'lost-reply'; readonly share: number }
  | { readonly mode: 'slow'; readonly ms: number; readonly share: number }
  | { readonly mode: 'throttle'; readonly share: number };

/** Parses `mode[:detail][@share]`; throws with a usable message on anything else. */
export function parseStoreFault(text: string): StoreFault {
  const spec = text.trim();
  const match = /^([a-z-]+)(?::([A-Za-z0-9.]+))?(?:@([0-9.]+))?$/.exec(spec);
  const [, mode, detail, shareText] = match ?? [];
  const share = shareText === undefined ? 1 : Number(shareText);
  const problem = (why: string) => new Error(`CHAT_FAULTS: ${why} in "${spec}" (see lib/local/store-faults.ts)`);
  if (!(share >= 0 && share <= 1)) throw problem('the share after @ must be from 0 to 1');
  switch (mode) {
    case 'off':
      if (detail !== undefined || shareText !== undefined) throw problem('"off" takes nothing more');
      return { mode: 'off' };
    case 'unavailable': {
      const how = detail ?? 'refuse';
      if (how !== 'refuse' && how !== 'reset' && how !== '503') throw problem('unavailable is :refuse, :reset or :503');
      if (shareText !== undefined) throw problem('unavailable applies to every request');
      return { mode: 'unavailable', how };
    }
    case 'lost-reply':
    case 'throttle':
      if (detail !== undefined) throw problem(`${mode} takes no detail`);
      return { mode, share };
    case 'slow': {
      const ms = Number(detail);
      if (detail === undefined || !Number.isInteger(ms) || ms < 0)
        throw problem('slow needs a delay in ms, as slow:300');
      return { mode: 'slow', ms, share };
    }
    default:
      throw problem('unknown fault');
  }
}

export function describeStoreFault(fault: StoreFault): string {
  switch (fault.mode) {
    case 'off':
      return 'off';
    case 'unavailable':
      return fault.how === 'refuse' ? 'unavailable' : `unavailable:${fault.how}`;
    case 'slow':
      return `slow:${fault.ms}${fault.share < 1 ? `@${fault.share}` : ''}`;
    default:
      return `${fault.mode}${fault.share < 1 ? `@${fault.share}` : ''}`;
  }
}

export interface StoreFaultCounts {
  readonly fault: string;
  /** Requests that reached the store, by DynamoDB operation (Query, PutItem, ...). */
  readonly forwarded: Readonly<Record<string, number>>;
  /** Requests that met a fault instead of (or on the way back from) the store. */
  readonly injected: number;
}

export interface StoreFaultProxy {
  /** Point the store client here instead of at the store. */
  readonly endpoint: string;
  readonly fault: StoreFault;
  set(fault: StoreFault | string): Promise<void>;
  counts(): StoreFaultCounts;
  close(): Promise<void>;
}

const DYNAMODB_ERROR = 'com.amazonaws.dynamodb.v20120810#';
const JSON_TYPE = 'application/x-amz-json-1.0';

/** Starts the proxy in front of `target` (an http:// endpoint) on a free loopback port. */
export async function startStoreFaultProxy(
  target: string,
  initial: StoreFault = { mode: 'off' },
): Promise<StoreFaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const sockets = new Set<Socket>();
  const forwarded: Record<string, number> = {};
  let injected = 0;
  let fault = initial;

  const server: Server = createServer((req, res) => void serve(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5000;

  const hit = (share: number) => share >= 1 || Math.random() < share;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const current = fault;
    if (current.mode === 'unavailable' && current.how === 'reset') return reset(req);
    const body = await readAll(req);
    if (current.mode === 'unavailable' && current.how === '503') {
      injected++;
      return answerError(res, 503, 'ServiceUnavailable', 'injected fault: the store is unavailable');
    }
    if (current.mode === 'throttle' && hit(current.share)) {
      injected++;
      return answerError(res, 400, 'ProvisionedThroughputExceededException', 'injected fault: throughput exceeded');
    }
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() || 'unknown';
    forwarded[operation] = (forwarded[operation] ?? 0) + 1;
    let answer: { status: number; headers: IncomingMessage['headers']; body: Buffer };
    try {
      answer = await forward(req, body);
    } catch {
      // The store itself is gone (e.g. killed): the caller sees what it would see without us.
      return reset(req);
    }
    if (current.mode === 'lost-reply' && hit(current.share)) return reset(req);
    if (current.mode === 'slow' && hit(current.share)) {
      injected++;
      await new Promise((resolve) => setTimeout(resolve, current.ms));
    }
    if (res.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  function reset(req: IncomingMessage): void {
    injected++;
    req.socket.resetAndDestroy();
  }

  function forward(req: IncomingMessage, body: Buffer) {
    return new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const headers = { ...req.headers, host: upstream.host };
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
        (answer) => {
          readAll(answer).then(
            (data) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: data }),
            reject,
          );
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;

  async function set(next: StoreFault | string): Promise<void> {
    const parsed = typeof next === 'string' ? parseStoreFault(next) : next;
    const wasRefusing = fault.mode === 'unavailable' && fault.how === 'refuse';
    const refuses = parsed.mode === 'unavailable' && parsed.how === 'refuse';
    fault = parsed;
    if (refuses && !wasRefusing) {
      // Nobody listens on the port any more, and open connections die: as a store that is down.
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.resetAndDestroy();
      await closed;
    } else if (wasRefusing && !refuses) {
      await listen(server, port);
    }
  }

  if (initial.mode === 'unavailable' && initial.how === 'refuse') {
    fault = { mode: 'off' };
    await set(initial);
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get fault() {
      return fault;
    },
    set,
    counts: () => ({ fault: describeStoreFault(fault), forwarded: { ...forwarded }, injected }),
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

function answerError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: `${DYNAMODB_ERROR}${type}`, message });
  res.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': 'injected-fault',
  });
  res.end(body);
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The control port: GET /faults shows the fault and the counts, PUT /faults with a fault as body sets it. */
export async function startStoreFaultControl(
  proxy: StoreFaultProxy,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      const text = `${JSON.stringify(body)}\n`;
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (new URL(req.url ?? '/', 'http://local').pathname !== '/faults') return reply(404, { error: 'use /faults' });
    if (req.method === 'GET') return reply(200, proxy.counts());
    if (req.method !== 'PUT' && req.method !== 'POST') return reply(405, { error: 'GET or PUT /faults' });
    readAll(req)
      .then((body) => proxy.set(body.toString('utf8')))
      .then(
        () => reply(200, proxy.counts()),
        (error: unknown) => reply(400, { error: error instanceof Error ? error.message : String(error) }),
      );
  });
  await listen(server, port);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/faults`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * For the local server: when `CHAT_FAULTS` is set, starts the proxy in front of `target`
 * and its control port, and returns the endpoint the handlers should use instead.
 */
export async function startStoreFaultsFromEnv(target: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const spec = env.CHAT_FAULTS;
  if (spec === undefined || spec === '') return undefined;
  const proxy = await startStoreFaultProxy(target, parseStoreFault(spec));
  const control = await startStoreFaultControl(proxy, Number(env.CHAT_FAULTS_PORT || 0));
  console.log(
    `chat: store faults ON (${describeStoreFault(proxy.fault)}) through ${proxy.endpoint}; change with: curl -X PUT --data off ${control.url}`,
  );
  return proxy.endpoint;
}
