/**
 * What the handlers read of an HTTP request (API Gateway HTTP API, payload format 2.0):
 * headers, the query, and the body as a plain object of fields.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './errors';

export type HttpEvent = APIGatewayProxyEventV2;

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
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw unsupportedMediaType();

  const text = decodeUtf8(bytes);
  if (mediaType === 'application/json') {
    const parsed = parseJson(text);
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

/**
 * A body that must be JSON, of any shape (the caller checks the shape): the size and charset
 * rules of `parseBody`, and anything but JSON is 400 `invalid_json`.
 */
export function parseJsonBody(event: HttpEvent): unknown {
  const [mediaType] = (header(event, 'content-type') ?? '').split(';').map((s) => s.trim().toLowerCase());
  if (mediaType !== 'application/json') throw badRequest('invalid_json', 'the body must be JSON');
  if (event.body === undefined || event.body === '') throw badRequest('invalid_json', 'the body must be JSON');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (text.length > BODY_LIMIT_BYTES) throw payloadTooLarge(BODY_LIMIT_BYTES);
  return parseJson(decodeUtf8(text));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('invalid_json', 'the body is not valid JSON');
  }
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
