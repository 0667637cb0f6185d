/**
 * The key that signs session tokens. It is configuration, never code: locally the server
 * generates it once into the data folder and passes it as a value; in AWS the stack
 * generates a Secrets Manager secret and passes its ARN. Read once per process (a Lambda
 * cold start) and kept; a failed read is tried again by the next request.
 */
import type { SessionKeyConfig } from '#lib/config';
import { StoreUnavailableError } from './store-errors';

const MIN_KEY_BYTES = 32;

export type SessionKeySource = () => Promise<Buffer>;

/** The key, read at the first request that needs it and kept for the life of the process. */
export function sessionKeySource(config: SessionKeyConfig, readSecret = readSecretString): SessionKeySource {
  let cached: Promise<Buffer> | undefined;
  return () => {
    cached ??= loadSessionKey(config, readSecret).catch((error: unknown) => {
      cached = undefined; // a failed load (e.g. the secret store briefly out of reach) is tried again next time
      throw error;
    });
    return cached;
  };
}

export async function loadSessionKey(
  config: SessionKeyConfig,
  readSecret: (secretId: string) => Promise<string> = readSecretString,
): Promise<Buffer> {
  return decodeKey(config.source === 'secret' ? await readSecret(config.secretId) : config.value);
}

/**
 * A key is given as base64 (or base64url) of at least 32 random bytes. The stack's generated
 * secret is 64 letters and digits: all base64 characters, so it decodes to 48 bytes.
 */
export function decodeKey(value: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length < MIN_KEY_BYTES) {
    throw new Error(`configuration: the session key must be at least ${MIN_KEY_BYTES} bytes, base64-encoded`);
  }
  return key;
}

async function readSecretString(secretId: string): Promise<string> {
  // Loaded only here, so the local server and the functions without sessions never load it.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString) throw new Error(`configuration: the secret ${secretId} has no string value`);
    return SecretString;
  } catch (error) {
    // Out of reach or throttled after the retries: 503, tried again on the next request.
    const e = error as { $fault?: string; $retryable?: unknown; name?: string };
    if (e.$fault === 'server' || e.$retryable !== undefined || e.name === 'TimeoutError') {
      throw new StoreUnavailableError(`read session key: ${e.name}`, 1, { cause: error });
    }
    throw error;
  } finally {
    client.destroy();
  }
}
