/**
 * Errors that carry their HTTP meaning. Anything thrown that is not one of these is a
 * bug: the edge answers 500 `internal` with a fixed message and logs the details.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: string, message: string): ApiError => new ApiError(400, code, message);

export const unauthorized = (message = 'a valid session is required: log in first'): ApiError =>
  new ApiError(401, 'unauthorized', message);

export const notFound = (): ApiError => new ApiError(404, 'not_found', 'no such route');

export const methodNotAllowed = (allow: readonly string[]): ApiError =>
  new ApiError(405, 'method_not_allowed', `use ${allow.join(' or ')} on this path`, { Allow: allow.join(', ') });

export const payloadTooLarge = (limitBytes: number): ApiError =>
  new ApiError(413, 'payload_too_large', `the body must be at most ${limitBytes} bytes`);

export const unsupportedMediaType = (): ApiError =>
  new ApiError(
    415,
    'unsupported_media_type',
    'send the body as application/json or application/x-www-form-urlencoded (UTF-8)',
  );

export const rateLimited = (retryAfterSeconds: number): ApiError =>
  new ApiError(429, 'rate_limited', 'too many messages: slow down and try again shortly', {
    'Retry-After': String(retryAfterSeconds),
  });

/** The store is throttling or out of reach; nothing was lost and the request may be repeated. */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export const unavailable = (retryAfterSeconds: number): ApiError =>
  new ApiError(503, 'unavailable', 'the chat is briefly unavailable: try again shortly', {
    'Retry-After': String(retryAfterSeconds),
  });
