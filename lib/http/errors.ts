/**
 * Errors that carry their HTTP meaning. Anything thrown that is neither one of these nor a
 * StoreUnavailableError is a bug: the edge answers 500 `internal` with a fixed message and
 * logs the details.
 */
import { ERROR_STATUS, type BadRequestCode, type ErrorCode } from './error-codes';

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

export const badRequest = (code: BadRequestCode, message: string): ApiError => new ApiError(code, message);

export const unauthorized = (message = 'a valid session is required: log in first'): ApiError =>
  new ApiError('unauthorized', message);

export const notFound = (): ApiError => new ApiError('not_found', 'no such route');

export const methodNotAllowed = (allow: readonly string[]): ApiError =>
  new ApiError('method_not_allowed', `use ${allow.join(' or ')} on this path`, { Allow: allow.join(', ') });

export const payloadTooLarge = (limitBytes: number): ApiError =>
  new ApiError('payload_too_large', `the body must be at most ${limitBytes} bytes`);

export const unsupportedMediaType = (): ApiError =>
  new ApiError(
    'unsupported_media_type',
    'send the body as application/json or application/x-www-form-urlencoded (UTF-8)',
  );

/** 429 after an allowance refused: `Retry-After` in whole seconds, at least 1. */
export const rateLimited = (retryAfterMs: number, what = 'messages'): ApiError =>
  new ApiError('rate_limited', `too many ${what}: slow down and try again shortly`, {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });

export const unavailable = (
  retryAfterSeconds: number,
  message = 'the chat is briefly unavailable: try again shortly',
): ApiError => new ApiError('unavailable', message, { 'Retry-After': String(retryAfterSeconds) });
