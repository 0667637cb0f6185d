/** A handler's result checked the way API Gateway checks it, and written as the HTTP response. */
import type { ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Writes a handler's result, or 500 as API Gateway does when the result is malformed. */
export function sendResult(res: ServerResponse, result: unknown): void {
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
  if (r.isBase64Encoded !== undefined && typeof r.isBase64Encoded !== 'boolean')
    return 'isBase64Encoded must be boolean';
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

export function sendGatewayError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
