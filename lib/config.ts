/**
 * The chat's configuration: one typed object, built once and explicitly from an environment
 * (`loadConfig`), then passed to what needs it. This is the only module that reads
 * `process.env` (besides `bin/`). A Lambda entry point builds it at module load, so a
 * missing or malformed value fails the cold start with a clear message instead of failing
 * every request later; the local server builds it from values it chose itself, so nothing
 * depends on the order in which modules are imported.
 */

type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(`configuration: ${message}`);
    this.name = 'ConfigError';
  }
}

/** A number of at least 0 (a rate may be fractional, e.g. 0.1 per second), or the fallback when unset. */
export function nonNegativeEnv(name: string, fallback: number, env: Env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(`${name} must be a non-negative number, got "${raw}"`);
  return Number(raw);
}

/** A whole number of at least 0 (milliseconds, counts), or the fallback when unset. */
export function wholeNumberEnv(name: string, fallback: number, env: Env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

export interface SendLimit {
  /** Messages per second a user may send; 0 turns the limit off. */
  readonly rate: number;
  /** Messages a user may send at once before the rate applies; 0 turns the limit off. */
  readonly burst: number;
}

export interface StoreConfig {
  readonly tableName: string;
  /** Only for DynamoDB Local or another DynamoDB-compatible store; unset in AWS. */
  readonly endpoint: string | undefined;
  /** The region the client signs for; in AWS the SDK finds it by itself. */
  readonly region: string | undefined;
}

/** Where the key that signs sessions comes from: a Secrets Manager secret in AWS, a value locally. */
export type SessionKeyConfig =
  | { readonly source: 'secret'; readonly secretId: string }
  | { readonly source: 'value'; readonly value: string };

export interface ChatConfig {
  /** Undefined where no table is configured (the login and session functions have none). */
  readonly store: StoreConfig | undefined;
  /** Undefined where no key is configured (health and not-found need none). */
  readonly sessionKey: SessionKeyConfig | undefined;
  readonly sendLimit: SendLimit;
  /** Logins per client address (`rate` per second here; the environment gives it per minute). */
  readonly loginLimit: SendLimit;
  /**
   * The request header that carries the client's address, set by a proxy in front that
   * overwrites whatever the client sent (in AWS, CloudFront's viewer address); undefined: the
   * TCP peer. Never X-Forwarded-For, which any client can write.
   */
  readonly clientAddressHeader: string | undefined;
  /** Presence calls per user (kept per process: a presence call makes at most one store write, its own). */
  readonly presenceLimit: SendLimit;
  /** What a poll suggests as the wait before the next poll, when the room is active / quiet. */
  readonly pollAfterMs: { readonly active: number; readonly quiet: number };
  readonly wait: WaitConfig;
}

/** The most any deployment holds a poll (the contract's upper bound for `wait`). */
export const WAIT_LIMIT_S = 25;

export interface WaitConfig {
  /** The longest this process holds a poll, 0 to 25 s; 0: never hold. */
  readonly maxSeconds: number;
  /**
   * Whether this process is the only writer of its store (the local server with its own
   * embedded DynamoDB), so that it knows every room's head exactly and a caught-up poll needs
   * no store read. Explicit: whoever starts the process says so; it is never guessed.
   */
  readonly soleWriter: boolean;
  /** Where other processes write too: a held poll re-checks the store this often (one query each time). */
  readonly checkMs: number;
}

/**
 * Reads every setting; the store and the session key are left undefined when not given, since
 * some functions use neither. Whoever needs one asks with `requireStore` / `requireSessionKey`
 * while it is built (at the cold start), so a missing value stops the process at once.
 */
export function loadConfig(env: Env = process.env): ChatConfig {
  return {
    store: env.CHAT_TABLE_NAME
      ? {
          tableName: env.CHAT_TABLE_NAME,
          endpoint: env.DYNAMODB_ENDPOINT || undefined,
          region: env.AWS_REGION || undefined,
        }
      : undefined,
    sessionKey: env.CHAT_SESSION_KEY_SECRET_ARN
      ? { source: 'secret', secretId: env.CHAT_SESSION_KEY_SECRET_ARN }
      : env.CHAT_SESSION_KEY
        ? { source: 'value', value: env.CHAT_SESSION_KEY }
        : undefined,
    sendLimit: {
      rate: nonNegativeEnv('CHAT_SEND_RATE', 5, env),
      burst: nonNegativeEnv('CHAT_SEND_BURST', 10, env),
    },
    loginLimit: {
      rate: nonNegativeEnv('CHAT_LOGIN_RATE', 10, env) / 60,
      burst: nonNegativeEnv('CHAT_LOGIN_BURST', 5, env),
    },
    clientAddressHeader: env.CHAT_CLIENT_ADDRESS_HEADER?.toLowerCase() || undefined,
    presenceLimit: {
      rate: nonNegativeEnv('CHAT_PRESENCE_RATE', 1, env),
      burst: nonNegativeEnv('CHAT_PRESENCE_BURST', 5, env),
    },
    pollAfterMs: {
      active: wholeNumberEnv('CHAT_POLL_ACTIVE_MS', 1000, env),
      quiet: wholeNumberEnv('CHAT_POLL_QUIET_MS', 2000, env),
    },
    wait: {
      maxSeconds: boundedEnv('CHAT_WAIT_MAX_S', WAIT_LIMIT_S, 0, WAIT_LIMIT_S, env),
      soleWriter: flagEnv('CHAT_SOLE_WRITER', env),
      checkMs: boundedEnv('CHAT_WAIT_CHECK_MS', 1000, 100, 60_000, env),
    },
  };
}

function boundedEnv(name: string, fallback: number, min: number, max: number, env: Env): number {
  const value = wholeNumberEnv(name, fallback, env);
  if (value < min || value > max) throw new ConfigError(`${name} must be from ${min} to ${max}, got ${value}`);
  return value;
}

/** `1` is on; unset, empty or `0` is off; anything else is a mistake worth stopping for. */
function flagEnv(name: string, env: Env): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

export function requireStore(config: ChatConfig): StoreConfig {
  if (!config.store) throw new ConfigError('environment variable CHAT_TABLE_NAME is required');
  return config.store;
}

export function requireSessionKey(config: ChatConfig): SessionKeyConfig {
  if (!config.sessionKey)
    throw new ConfigError('CHAT_SESSION_KEY (locally) or CHAT_SESSION_KEY_SECRET_ARN (in AWS) is required');
  return config.sessionKey;
}

/**
 * What the log and the metrics need to know of where they run, read when they load: the
 * service name (the stack's name in AWS), the metrics namespace, whether this is Lambda
 * (only there does CloudWatch read the metrics), and whether to keep the log quiet.
 */
export interface RuntimeInfo {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly inLambda: boolean;
  readonly logSilent: boolean;
}

export function runtimeInfo(env: Env = process.env): RuntimeInfo {
  return {
    serviceName: env.POWERTOOLS_SERVICE_NAME || 'chat',
    metricsNamespace: env.CHAT_METRICS_NAMESPACE || 'Chat',
    inLambda: env.AWS_LAMBDA_FUNCTION_NAME !== undefined,
    logSilent: env.CHAT_LOG_SILENT === '1',
  };
}
