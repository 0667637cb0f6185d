/**
 * The DynamoDB document client, made in one place with the chat's settings: retries are
 * bounded and timeouts short, so that a store that is down is answered with 503 within a
 * few seconds instead of hanging the request. A process makes one (a Lambda cold start, or
 * the local server) and passes it to the message log and the send limit.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoreConfig } from '#lib/config';
import { StoreUnavailableError } from './store-errors';

export type StoreClient = DynamoDBDocumentClient;

/** Settings for talking to DynamoDB Local, which accepts any credentials; AWS never sees these. */
export function localStoreSettings(endpoint: string, region = 'local') {
  return { endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

export function createStoreClient(store: Pick<StoreConfig, 'endpoint' | 'region'>): StoreClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...(store.endpoint ? localStoreSettings(store.endpoint, store.region) : {}),
      maxAttempts: 3,
      // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes and keeps waiting.
      requestHandler: { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

const UNAVAILABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** A network error that reached us wrapped, with only its message left (e.g. from another JS realm). */
const NETWORK_MESSAGE = /\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|socket hang up|TimeoutError)\b/;

/** Whether an SDK error means "the store cannot answer now" rather than "the request is wrong". */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return (
    UNAVAILABLE_NAMES.has(e.name ?? '') ||
    NETWORK_CODES.has(e.code ?? '') ||
    NETWORK_MESSAGE.test(e.message ?? '') ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** Runs one store call; an unavailable store becomes StoreUnavailableError, anything else passes through. */
export async function storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isStoreUnavailable(error))
      throw new StoreUnavailableError(`${what}: ${(error as Error).name}`, 1, { cause: error });
    throw error;
  }
}
