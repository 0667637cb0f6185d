/**
 * The key that signs session tokens. It is configuration, never code: locally the server
 * generates it once into the data folder and passes it as CHAT_SESSION_KEY; in AWS it comes
 * from Secrets Manager (see the stack). Read once per process and cached.
 */

const MIN_KEY_BYTES = 32;

let cached: Promise<Buffer> | undefined;

export function sessionKey(): Promise<Buffer> {
  cached ??= loadSessionKey().catch((error: unknown) => {
    cached = undefined; // a failed load (e.g. the secret store briefly out of reach) is tried again next time
    throw error;
  });
  return cached;
}

async function loadSessionKey(env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const value = env.CHAT_SESSION_KEY;
  if (!value) throw new Error('configuration: CHAT_SESSION_KEY is required');
  return decodeKey(value);
}

/** A key is given as base64 (or base64url) of at least 32 random bytes. */
export function decodeKey(value: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length < MIN_KEY_BYTES) {
    throw new Error(`configuration: the session key must be at least ${MIN_KEY_BYTES} bytes, base64-encoded`);
  }
  return key;
}
