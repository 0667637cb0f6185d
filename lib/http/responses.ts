/** The one place every response is built: JSON, XML, and the body of every error. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiError } from './errors';

export type HttpResult = APIGatewayProxyStructuredResultV2;

const BASE_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;

export function json(
  status: number,
  body: unknown,
  extra: { headers?: Record<string, string>; cookies?: string[] } = {},
): HttpResult {
  return {
    statusCode: status,
    headers: { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', ...extra.headers },
    ...(extra.cookies ? { cookies: extra.cookies } : {}),
    body: JSON.stringify(body),
  };
}

/** 204: done, nothing to say (and so no Content-Type). */
export function noContent(extra: { cookies?: string[] } = {}): HttpResult {
  return {
    statusCode: 204,
    headers: { ...BASE_HEADERS },
    ...(extra.cookies ? { cookies: extra.cookies } : {}),
    body: '',
  };
}

export function xml(status: number, body: string): HttpResult {
  return {
    statusCode: status,
    headers: { ...BASE_HEADERS, 'Content-Type': 'application/xml; charset=utf-8', Vary: 'Accept' },
    body,
  };
}

export function errorResult(error: ApiError): HttpResult {
  return json(error.status, { error: { code: error.code, message: error.message } }, { headers: { ...error.headers } });
}
