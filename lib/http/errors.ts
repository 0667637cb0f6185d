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

export const notFound = (message = 'no such route'): ApiError => new ApiError('not_found', message);

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

/** Why a change to a message was refused, as the client hears it. */
export const changeRefused = (reason: 'not_found' | 'forbidden' | 'message_deleted' | 'reaction_limit'): ApiError =>
  ({
    not_found: () => notFound('no message with this id in this room'),
    forbidden: () => new ApiError('forbidden', 'only the author may edit or delete a message'),
    message_deleted: () => new ApiError('message_deleted', 'the message was deleted and cannot change any more'),
    reaction_limit: () => new ApiError('reaction_limit', 'a message takes at most 20 different emoji'),
  })[reason]();
