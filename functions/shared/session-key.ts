/**
 * The key that signs session tokens. It is configuration, never code: locally the server
 * generates it once into the data folder and passes it as CHAT_SESSION_KEY; in AWS the stack
 * generates a Secrets Manager secret and passes its ARN as CHAT_SESSION_KEY_SECRET_ARN.
 * Read once per process (a Lambda cold start) and cached.
 */
import { StoreUnavailableError } from './errors';

const MIN_KEY_BYTES = 32;

let cached: Promise<Buffer> | undefined;

export function sessionKey(): Promise<Buffer> {
  cached ??= loadSessionKey().catch((error: unknown) => {
    cached = undefined; // a failed load (e.g. the secret store briefly out of reach) is tried again next time
    throw error;
  });
  return cached;
}

export async function loadSessionKey(
  env: NodeJS.ProcessEnv = process.env,
  readSecret: (secretId: string) => Promise<string> = readSecretString,
): Promise<Buffer> {
  const secretId = env.CHAT_SESSION_KEY_SECRET_ARN;
  if (secretId) return decodeKey(await readSecret(secretId));
  const value = env.CHAT_SESSION_KEY;
  if (value) return decodeKey(value);
  throw new Error('configuration: CHAT_SESSION_KEY (locally) or CHAT_SESSION_KEY_SECRET_ARN (in AWS) is required');
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
