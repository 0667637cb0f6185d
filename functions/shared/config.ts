/**
 * Configuration, read once from the environment when a handler module loads.
 * A missing required value stops the cold start with a clear message instead of
 * failing later with an empty table name.
 */

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`configuration: environment variable ${name} is required`);
  }
  return value;
}

export function wholeNumberEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) {
    throw new Error(`configuration: ${name} must be a non-negative number, got "${raw}"`);
  }
  return Number(raw);
}

export interface SendLimit {
  /** Messages per second a user may send; 0 turns the limit off. */
  readonly rate: number;
  /** Messages a user may send at once before the rate applies; 0 turns the limit off. */
  readonly burst: number;
}

export interface ChatConfig {
  readonly tableName: string;
  /** Only for DynamoDB Local or another DynamoDB-compatible store; unset in AWS. */
  readonly dynamodbEndpoint: string | undefined;
  readonly sendLimit: SendLimit;
  /** What a poll suggests as the wait before the next poll, when the room is active / quiet. */
  readonly pollAfterMs: { readonly active: number; readonly quiet: number };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ChatConfig {
  return {
    tableName: requireEnv('CHAT_TABLE_NAME', env),
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    sendLimit: {
      rate: wholeNumberEnv('CHAT_SEND_RATE', 5, env),
      burst: wholeNumberEnv('CHAT_SEND_BURST', 10, env),
    },
    pollAfterMs: {
      active: wholeNumberEnv('CHAT_POLL_ACTIVE_MS', 1000, env),
      quiet: wholeNumberEnv('CHAT_POLL_QUIET_MS', 2000, env),
    },
  };
}

let cached: ChatConfig | undefined;

/** The process-wide configuration, read from the environment on first use. */
export function config(): ChatConfig {
  cached ??= loadConfig();
  return cached;
}
