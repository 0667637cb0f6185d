/**
 * Wraps a route's logic into a handler: typed errors become their documented answers, a store
 * that stays unavailable becomes 503, anything else a logged 500; every answer is counted.
 */
import type { Context } from 'aws-lambda';
import { log, logger } from '#aws/log';
import { countResponse } from '#aws/metrics';
import { StoreUnavailableError } from '#aws/store-errors';
import { ApiError, unavailable } from './errors';
import type { HttpEvent } from './request';
import { errorResult, json, type HttpResult } from './responses';
import type { FunctionName } from './routes';

export type HttpHandler = (event: HttpEvent, context?: Context) => Promise<HttpResult>;

/**
 * Wraps a handler: typed errors become their documented answers; a store that stays
 * unavailable after the client's retries becomes 503 with Retry-After; anything else is a
 * bug, logged in full and answered with a fixed 500 body. Every answer is counted in the
 * metrics; in Lambda the log lines carry the request id.
 */
export function httpHandler(name: FunctionName, handle: (event: HttpEvent) => Promise<HttpResult>): HttpHandler {
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
