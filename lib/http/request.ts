/**
 * What the handlers read of an HTTP request (API Gateway HTTP API, payload format 2.0):
 * headers, the query, and the body's fields.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { BadRequestCode } from './error-codes';
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

/** A request body's fields, and whether they came as JSON or as an HTML form. */
export interface RequestBody {
  readonly encoding: 'json' | 'form';
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * The body's fields, from JSON or from an HTML form. Anything else is refused before it is
 * looked at: an over-size body (413), another media type or charset (415), malformed JSON or
 * JSON that is not an object (400 `invalid_json`). A form that is not UTF-8, in its bytes or
 * in what its percent-escapes decode to, is refused with `formCode`, the code of the field
 * the form is for: it is never read with replacement characters.
 */
export function parseBody(event: HttpEvent, formCode: BadRequestCode): RequestBody {
  const bytes = bodyBytes(event);
  const mediaType = mediaTypeOf(event);
  if (mediaType === 'application/json') {
    const parsed = jsonValue(bytes);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw badRequest('invalid_json', 'the body must be a JSON object');
    }
    return { encoding: 'json', fields: parsed as Record<string, unknown> };
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    const text = decodeUtf8(bytes);
    const fields = text === undefined ? undefined : parseForm(text);
    if (fields === undefined) throw badRequest(formCode, 'the form must be UTF-8, also in its percent-escapes');
    return { encoding: 'form', fields };
  }
  throw unsupportedMediaType();
}

/**
 * A body that must be JSON, of any shape (the caller checks the shape): the size and charset
 * rules of `parseBody`, and anything but JSON is 400 `invalid_json`.
 */
export function parseJsonBody(event: HttpEvent): unknown {
  const bytes = bodyBytes(event);
  if (mediaTypeOf(event) !== 'application/json') throw badRequest('invalid_json', 'the body must be JSON');
  return jsonValue(bytes);
}

/** The body's bytes, or 413 past the limit. */
function bodyBytes(event: HttpEvent): Buffer {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > BODY_LIMIT_BYTES) throw payloadTooLarge(BODY_LIMIT_BYTES);
  return bytes;
}

/** The media type of the body, lower case; 415 for a charset other than UTF-8. */
function mediaTypeOf(event: HttpEvent): string | undefined {
  const [mediaType, ...params] = (header(event, 'content-type') ?? '').split(';').map((s) => s.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw unsupportedMediaType();
  return mediaType;
}

/** JSON in UTF-8, or 400 `invalid_json`. */
function jsonValue(bytes: Buffer): unknown {
  const text = decodeUtf8(bytes);
  if (text === undefined) throw badRequest('invalid_json', 'the body is not valid UTF-8');
  return parseJson(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('invalid_json', 'the body is not valid JSON');
  }
}

/**
 * A field by its name; in a form also by its classic name (`message`, `username`, as the
 * classic pages send them), which JSON does not know.
 */
export function bodyField(body: RequestBody, name: string, classicName?: string): unknown {
  const value = body.fields[name];
  if (value !== undefined || body.encoding === 'json' || classicName === undefined) return value;
  return body.fields[classicName];
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * application/x-www-form-urlencoded as the URL standard parses it (a repeated name: the last
 * wins), except that a name or value whose percent-escapes are not UTF-8 makes the whole form
 * undefined instead of turning into U+FFFD.
 */
function parseForm(text: string): Record<string, string> | undefined {
  const entries: [string, string][] = [];
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = formDecode(eq === -1 ? pair : pair.slice(0, eq));
    const value = formDecode(eq === -1 ? '' : pair.slice(eq + 1));
    if (name === undefined || value === undefined) return undefined;
    entries.push([name, value]);
  }
  return Object.fromEntries(entries);
}

/** `+` is a space; a `%` not followed by two hex digits stays itself; the escapes must decode to UTF-8. */
function formDecode(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' ').replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    return undefined;
  }
}

/** Whether the caller reached us over HTTPS (API Gateway and CloudFront set the header). */
export function isHttps(event: HttpEvent): boolean {
  return header(event, 'x-forwarded-proto')?.toLowerCase() === 'https';
}
