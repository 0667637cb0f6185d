/**
 * One HTTP request with node:http, with exactly the headers given (fetch adds its own
 * Accept-Encoding and decompresses): the answer's status, headers and body bytes as sent.
 */
import { type Agent, request } from 'node:http';

export interface RawReply {
  readonly status: number;
  /** Names in lower case. */
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: Buffer; agent?: Agent } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
