/**
 * The load generator's HTTP client: node:http over loopback with keep-alive connections,
 * a hard timeout per request, and answers reduced to what the benchmark needs.
 */
import { Agent, request } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly json: any;
  /** Bytes of the body as received. */
  readonly bytes: number;
  /** From sending the request to the end of the answer, in ms. */
  readonly ms: number;
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

export class BenchClient {
  // Idle connections are dropped before the server's 5 s keep-alive timeout would close them
  // under a request (which shows as ECONNRESET on the generator, not as a server error).
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 4096, timeout: 4000 });
  private readonly host: string;
  private readonly port: number;

  constructor(
    base: string,
    private readonly timeoutMs = 10_000,
  ) {
    const url = new URL(base);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  call(method: string, path: string, token?: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    return new Promise<Reply>((resolve, reject) => {
      const started = performance.now();
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) =>
          reject(new RequestFailed(error.code ?? 'network', error.message)),
        );
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          let json: unknown;
          try {
            json = JSON.parse(raw.toString('utf8'));
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            json,
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
      req.end(payload);
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
