/**
 * HTTP in and out for API Gateway HTTP API (payload format 2.0): body parsing, headers,
 * and the one place every response and every error is built.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  ApiError,
  StoreUnavailableError,
  badRequest,
  payloadTooLarge,
  unavailable,
  unsupportedMediaType,
} from './errors';
import { log, logger } from './log';
import { countResponse } from './metrics';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const BODY_LIMIT_BYTES = 16 * 1024;

/** Header lookup that does not depend on the caller's capitalisation. */
export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

export function queryParams(event: HttpEvent): Readonly<Record<string, string | undefined>> {
  return event.queryStringParameters ?? {};
}

/**
 * The body as a plain object of fields, from JSON or from an HTML form. Anything else is
 * refused before it is looked at: an over-size body (413), another media type or charset
 * (415), malformed JSON or JSON that is not an object (400).
 */
export function parseBody(event: HttpEvent): Record<string, unknown> {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > BODY_LIMIT_BYTES) throw payloadTooLarge(BODY_LIMIT_BYTES);

  const [mediaType, ...params] = (header(event, 'content-type') ?? '').split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw unsupportedMediaType();

  const text = decodeUtf8(bytes);
  if (mediaType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badRequest('invalid_json', 'the body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw badRequest('invalid_json', 'the body must be a JSON object');
    }
    return parsed as Record<string, unknown>;
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  throw unsupportedMediaType();
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('invalid_json', 'the body is not valid UTF-8');
  }
}

/** Whether the caller reached us over HTTPS (API Gateway and CloudFront set the header). */
export function isHttps(event: HttpEvent): boolean {
  return header(event, 'x-forwarded-proto')?.toLowerCase() === 'https';
}

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

/**
 * Wraps a handler: typed errors become their documented answers; a store that stays
 * unavailable after the client's retries becomes 503 with Retry-After; anything else is a
 * bug, logged in full and answered with a fixed 500 body. Every answer is counted in the
 * metrics; in Lambda the log lines carry the request id.
 */
export function httpHandler(
  name: string,
  handle: (event: HttpEvent) => Promise<HttpResult>,
): (event: HttpEvent, context?: Context) => Promise<HttpResult> {
  const answer = withErrorAnswers(name, handle);
  return async (event, context) => {
    if (context) logger.addContext(context);
    const result = await answer(event);
    countResponse(name, result.statusCode ?? 200);
    return result;
  };
}

function withErrorAnswers(
  name: string,
  handle: (event: HttpEvent) => Promise<HttpResult>,
): (event: HttpEvent) => Promise<HttpResult> {
  return async (event) => {
    try {
      return await handle(event);
    } catch (error) {
      if (error instanceof ApiError) return errorResult(error);
      if (error instanceof StoreUnavailableError) {
        log.warn('store unavailable', { handler: name, reason: error.message, cause: describe(error.cause) });
        return errorResult(unavailable(error.retryAfterSeconds));
      }
      log.error('unhandled error', { handler: name, error: describe(error) });
      return json(500, { error: { code: 'internal', message: 'something went wrong on our side' } });
    }
  };
}

function describe(error: unknown): unknown {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return error;
}
