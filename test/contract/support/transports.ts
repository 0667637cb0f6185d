/**
 * The two ways a contract test reaches the API: straight through the Lambda handlers, as API
 * Gateway invokes them, and through the local server over real HTTP. Both answer the same
 * `Reply`, so every contract test runs on both.
 */
import { call, startLocalServer, type App, type CallOptions } from '#test/support/app';
import type { ObservedResponse } from '#test/support/openapi';

export interface Reply extends ObservedResponse {
  /** The body parsed as JSON when it is JSON. */
  readonly json: any;
}

export interface Transport {
  readonly name: string;
  request(method: string, url: string, options?: CallOptions): Promise<Reply>;
  close(): Promise<void>;
}

export function viaHandlers(app: App): Transport {
  return {
    name: 'handlers',
    request: (method, url, options) => call(app, method, url, options),
    close: async () => undefined,
  };
}

export async function viaHttp(app: App): Promise<Transport> {
  const server = await startLocalServer(app);
  return {
    name: 'local server over HTTP',
    async request(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
          headers['content-type'] = options.contentType ?? 'application/json';
        }
      }
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      if (options.cookies) headers.cookie = options.cookies.join('; ');
      const res = await fetch(server.url + url, { method, headers, body, redirect: 'manual' });
      const text = await res.text();
      const replyHeaders: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        if (name !== 'set-cookie') replyHeaders[name] = value;
      });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: replyHeaders, cookies: res.headers.getSetCookie(), text, json };
    },
    close: server.close,
  };
}

/** Both transports over one loaded app; close them in afterAll. */
export async function bothTransports(app: App): Promise<Transport[]> {
  return [viaHandlers(app), await viaHttp(app)];
}
