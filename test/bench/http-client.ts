/**
 * The load generator's HTTP client: keep-alive connections over loopback, a hard timeout per
 * request, and answers reduced to what the benchmark needs.
 *
 * Two implementations behind one class. The default is a minimal HTTP/1.1 client on raw
 * `node:net` sockets (one request at a time per connection, Content-Length or chunked
 * bodies): it costs the generator about 0.07 ms of CPU per request where `node:http` costs
 * about 0.2 ms, and the generator shares the machine's cores with the server it measures.
 * `BENCH_CLIENT=node:http` uses `node:http`'s Agent instead, to compare.
 */
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface Reply {
  readonly status: number;
  readonly json: any;
  /** Bytes of the body as received. */
  readonly bytes: number;
  /** From sending the request to the end of the answer, in ms. */
  readonly ms: number;
  /** Header names in lower case. */
  readonly headers: Record<string, string | string[] | undefined>;
}

export class RequestFailed extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Idle connections are dropped before the server's 5 s keep-alive timeout would close them
 * under a request (which shows as ECONNRESET on the generator, not as a server error).
 */
const IDLE_MS = 4000;

interface Transport {
  call(method: string, path: string, headers: string, body: Buffer | undefined, signal?: AbortSignal): Promise<Reply>;
  preconnect?(count: number): Promise<void>;
  close(): void;
}

export class BenchClient {
  private readonly transport: Transport;

  constructor(
    base: string,
    /** A request with no complete answer by then fails as `timeout` (held polls need more than their wait). */
    readonly timeoutMs = 10_000,
    /** Idle keep-alive connections kept open (more than the clients that may be answered at once). */
    maxFreeSockets = 4096,
  ) {
    const url = new URL(base);
    const host = url.hostname;
    const port = Number(url.port);
    this.transport =
      process.env.BENCH_CLIENT === 'node:http'
        ? new NodeHttpTransport(host, port, timeoutMs, maxFreeSockets)
        : new RawTransport(host, port, timeoutMs, maxFreeSockets);
  }

  /** `signal` aborts the request (it then rejects with kind `aborted`), e.g. a held poll when the run ends. */
  call(method: string, path: string, token?: string, body?: unknown, signal?: AbortSignal): Promise<Reply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    let headers = 'accept: application/json\r\n';
    if (token) headers += `authorization: Bearer ${token}\r\n`;
    if (payload) headers += `content-type: application/json\r\ncontent-length: ${payload.length}\r\n`;
    return this.transport.call(method, path, headers, payload, signal);
  }

  /** Opens up to `count` keep-alive connections ahead of a load, a batch at a time (raw client only). */
  async preconnect(count: number): Promise<void> {
    await this.transport.preconnect?.(count);
  }

  close(): void {
    this.transport.close();
  }
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

// --- The raw client --------------------------------------------------------------------

interface Exchange {
  readonly started: number;
  readonly deadline: number;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: RequestFailed) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** One keep-alive connection; one exchange at a time. */
class Connection {
  readonly socket: Socket;
  /** Resolves once connected (or closed). */
  readonly connected: Promise<void>;
  exchange: Exchange | undefined;
  idleSince = performance.now();
  closed = false;
  private buffer: Buffer = Buffer.alloc(0);
  /** Parsed head of the answer being read. */
  private head: { status: number; headers: Record<string, string>; length: number | 'chunked' } | undefined;
  private bodyStart = 0;

  constructor(
    host: string,
    port: number,
    private readonly done: (c: Connection, reusable: boolean) => void,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.connected = new Promise((resolve) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('close', () => resolve());
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? 'network', error.message));
    this.socket.on('close', () => this.fail('ECONNRESET', 'the connection closed before the answer ended'));
  }

  start(exchange: Exchange, request: string, body: Buffer | undefined): void {
    this.exchange = exchange;
    this.buffer = Buffer.alloc(0);
    this.head = undefined;
    if (body) this.socket.write(Buffer.concat([Buffer.from(request, 'latin1'), body]));
    else this.socket.write(request, 'latin1');
  }

  /** Ends the exchange with an error and drops the connection. */
  fail(kind: string, message: string): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    if (!this.closed) {
      this.closed = true;
      this.socket.destroy();
      this.done(this, false);
    }
    if (exchange) {
      if (exchange.onAbort) exchange.signal?.removeEventListener('abort', exchange.onAbort);
      exchange.reject(new RequestFailed(kind, message));
    }
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.exchange) {
      this.fail('protocol', 'bytes from the server with no request');
      return;
    }
    if (!this.head) {
      const end = this.buffer.indexOf(CRLF2);
      if (end < 0) return;
      const lines = this.buffer.toString('latin1', 0, end).split('\r\n');
      const status = Number(lines[0]!.slice(9, 12));
      const headers: Record<string, string> = {};
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
      this.head = { status, headers, length: chunked ? 'chunked' : Number(headers['content-length'] ?? 0) };
      this.bodyStart = end + 4;
    }
    const body = this.head.length === 'chunked' ? this.dechunk() : this.fixed(this.head.length);
    if (body === undefined) return;
    const exchange = this.exchange;
    const { status, headers } = this.head;
    this.exchange = undefined;
    this.head = undefined;
    this.buffer = Buffer.alloc(0);
    if (exchange.onAbort) exchange.signal?.removeEventListener('abort', exchange.onAbort);
    const reusable = !/close/i.test(headers.connection ?? '');
    this.idleSince = performance.now();
    if (!reusable) {
      this.closed = true;
      this.socket.destroy();
    }
    this.done(this, reusable);
    exchange.resolve({
      status,
      json: parseJson(body),
      bytes: body.length,
      ms: performance.now() - exchange.started,
      headers,
    });
  }

  private fixed(length: number): Buffer | undefined {
    return this.buffer.length >= this.bodyStart + length
      ? this.buffer.subarray(this.bodyStart, this.bodyStart + length)
      : undefined;
  }

  /** The whole body once the last chunk is in, else undefined. */
  private dechunk(): Buffer | undefined {
    const parts: Buffer[] = [];
    let at = this.bodyStart;
    for (;;) {
      const lineEnd = this.buffer.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(this.buffer.toString('latin1', at, lineEnd), 16);
      if (!Number.isFinite(size)) {
        this.fail('protocol', 'a chunk size that is not a number');
        return undefined;
      }
      if (size === 0) return this.buffer.indexOf(CRLF2, lineEnd) >= 0 ? Buffer.concat(parts) : undefined;
      if (this.buffer.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
}

/** Idle connections, oldest first: taken from the front, returned to the back, so all stay in use. */
class FreeQueue {
  private items: (Connection | undefined)[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(c: Connection): void {
    this.items.push(c);
  }
  peek(): Connection | undefined {
    return this.items[this.head];
  }
  shift(): Connection | undefined {
    const c = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return c;
  }
  all(): Connection[] {
    return this.items.slice(this.head) as Connection[];
  }
}

class RawTransport implements Transport {
  private readonly free = new FreeQueue();
  private readonly busy = new Set<Connection>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs: number,
    private readonly maxFree: number,
  ) {
    // One timer for every request's timeout and every idle connection, not one per request.
    this.sweeper = setInterval(() => this.sweep(), 100);
    this.sweeper.unref();
  }

  call(method: string, path: string, headers: string, body: Buffer | undefined, signal?: AbortSignal): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (signal?.aborted) return reject(new RequestFailed('aborted', 'aborted before it was sent'));
      const connection = this.take();
      const started = performance.now();
      const onAbort = signal ? () => connection.fail('aborted', 'aborted by the generator') : undefined;
      if (onAbort) signal!.addEventListener('abort', onAbort, { once: true });
      connection.start(
        { started, deadline: started + this.timeoutMs, resolve, reject, signal, onAbort },
        `${method} ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\n${headers}\r\n`,
        body,
      );
    });
  }

  /**
   * Opens connections until `count` are open, `batch` at a time, each batch connected before
   * the next: a thousand clients starting at once would otherwise send a thousand SYNs in one
   * go and overflow the server's accept queue (the dropped ones retry after 1, 3, 7 s).
   */
  async preconnect(count: number, batch = 100): Promise<void> {
    while (this.busy.size + this.free.size < Math.min(count, this.maxFree)) {
      const n = Math.min(batch, count - this.busy.size - this.free.size);
      const opened = Array.from({ length: n }, () => this.open());
      await Promise.all(opened.map((c) => c.connected));
      let open = 0;
      for (const c of opened) {
        this.busy.delete(c);
        if (!c.closed) {
          c.idleSince = performance.now();
          this.free.push(c);
          open++;
        }
      }
      if (open === 0) return; // the server takes no connections: the load will say so
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const c of [...this.free.all(), ...this.busy]) if (!c.closed) c.fail('closed', 'the client was closed');
  }

  private open(): Connection {
    const c = new Connection(this.host, this.port, (done, reusable) => this.release(done, reusable));
    this.busy.add(c);
    return c;
  }

  private take(): Connection {
    const now = performance.now();
    for (let c = this.free.shift(); c; c = this.free.shift()) {
      if (c.closed) continue;
      if (now - c.idleSince < IDLE_MS) {
        this.busy.add(c);
        return c;
      }
      c.fail('closed', 'idle too long');
    }
    return this.open();
  }

  private release(c: Connection, reusable: boolean): void {
    // A free connection that the server closed is marked closed and skipped when reached.
    if (!this.busy.delete(c)) return;
    if (reusable && !c.closed && this.free.size < this.maxFree) this.free.push(c);
    else if (!c.closed) {
      c.closed = true;
      c.socket.destroy();
    }
  }

  private sweep(): void {
    const now = performance.now();
    for (const c of this.busy) {
      if (c.exchange && now > c.exchange.deadline) c.fail('timeout', `no answer in ${this.timeoutMs} ms`);
    }
    // The oldest idle connections are at the front.
    for (let c = this.free.peek(); c && (c.closed || now - c.idleSince >= IDLE_MS); c = this.free.peek()) {
      this.free.shift();
      if (!c.closed) c.fail('closed', 'idle');
    }
  }
}

// --- node:http, to compare ---------------------------------------------------------------

class NodeHttpTransport implements Transport {
  private readonly agent: Agent;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs: number,
    maxFreeSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets, timeout: IDLE_MS });
  }

  call(
    method: string,
    path: string,
    headerText: string,
    body: Buffer | undefined,
    signal?: AbortSignal,
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
    }
    return new Promise<Reply>((resolve, reject) => {
      if (signal?.aborted) return reject(new RequestFailed('aborted', 'aborted before it was sent'));
      const started = performance.now();
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) =>
          reject(new RequestFailed(error.code ?? 'network', error.message)),
        );
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            json: parseJson(raw),
            bytes: raw.length,
            ms: performance.now() - started,
            headers: res.headers,
          });
        });
      });
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new RequestFailed('timeout', `no answer in ${this.timeoutMs} ms`)),
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(error instanceof RequestFailed ? error : new RequestFailed(error.code ?? 'network', error.message));
      });
      if (signal) {
        const abort = () => req.destroy(new RequestFailed('aborted', 'aborted by the generator'));
        signal.addEventListener('abort', abort, { once: true });
        req.once('close', () => signal.removeEventListener('abort', abort));
      }
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A short label for an answer that is not the expected one, for "errors by kind". */
export function errorKind(reply: Reply): string {
  const code = reply.json?.error?.code;
  return code ? `${reply.status} ${code}` : `${reply.status}`;
}

export function failureKind(error: unknown): string {
  return error instanceof RequestFailed ? error.kind : error instanceof Error ? error.name : 'error';
}

/** The three kinds of error the reports separate: shed by the server, timed out in the generator, anything else. */
export type ErrorClass = 'shed' | 'timeout' | 'other';

/** Classifies an error label made by errorKind / failureKind ("poll 503 unavailable", "send timeout"). */
export function errorClass(label: string): ErrorClass {
  if (/\b503\b/.test(label)) return 'shed';
  if (/\btimeout\b/.test(label)) return 'timeout';
  return 'other';
}
