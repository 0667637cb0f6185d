/**
 * The deployment's settings, read from CDK context (`cdk.json`, or `-c key=value` on the
 * command line) and checked before anything is built, so a typo fails the synth with a
 * message instead of deploying something else. DEPLOY.md documents every key.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { DEFAULT_POLL_CONCURRENCY, MAX_POLL_WAIT_S, POLL_CHECK_MS } from './poll-limits';

export interface ChatStackConfig {
  /** Names the stack (`Chat-<stage>`), so stages live side by side in one account. */
  readonly stage: string;
  readonly logRetention: RetentionDays;
  /** Days a message is kept; 0 keeps messages forever (the only value the message log supports yet). */
  readonly messageRetentionDays: number;
  /** HTTP API stage throttling: steady requests per second and the burst above it. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** What happens to the table, the secret, the buckets and the logs when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  /** Changing it makes every function that signs sessions start fresh and read the session key again. */
  readonly sessionKeyVersion: string;
  /** Where alarm notifications go by e-mail, if anywhere (subscribers can also be added later). */
  readonly alarmEmail: string | undefined;
  readonly poll: PollSettings;
}

/** How the read function answers polls (long-polling): DEPLOY.md, "Long-polling". */
export interface PollSettings {
  /** The longest a poll is held (CHAT_WAIT_MAX_S), 0 to MAX_POLL_WAIT_S; 0: never hold. */
  readonly waitSeconds: number;
  /** While holding, re-check the store this often (CHAT_WAIT_CHECK_MS), one query each time. */
  readonly checkMs: number;
  /**
   * The read function's reserved concurrency, its budget and its ceiling: what held polls may
   * take from the account, so that sends and logins always find an instance. Undefined: none.
   */
  readonly concurrency: number | undefined;
}

export const CONTEXT_DEFAULTS = {
  stage: 'dev',
  logRetentionDays: 30,
  messageRetentionDays: 0,
  throttleRate: 500,
  throttleBurst: 1000,
  removalPolicy: 'retain',
  sessionKeyVersion: '1',
  pollWaitSeconds: 0,
  pollWaitCheckMs: 1000,
  pollConcurrency: 'auto',
} as const;

/** The retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE),
);

export function readConfig(node: Node): ChatStackConfig {
  const get = (key: keyof typeof CONTEXT_DEFAULTS): unknown => node.tryGetContext(key) ?? CONTEXT_DEFAULTS[key];

  const stage = String(get('stage'));
  if (!/^[A-Za-z][A-Za-z0-9-]{0,30}$/.test(stage)) {
    throw new Error(`context stage: 1 to 31 letters, digits or hyphens starting with a letter, got "${stage}"`);
  }

  const logRetentionDays = wholeNumber('logRetentionDays', get('logRetentionDays'));
  if (!RETENTION_DAYS.has(logRetentionDays)) {
    throw new Error(`context logRetentionDays: one of ${[...RETENTION_DAYS].join(', ')}, got ${logRetentionDays}`);
  }

  const messageRetentionDays = wholeNumber('messageRetentionDays', get('messageRetentionDays'));
  if (messageRetentionDays !== 0) {
    // Expiring messages would let a room's ids start again at 1 once its newest message has
    // gone, and a client's cursor would then skip the new messages: the message log must
    // keep the room's head first.
    throw new Error('context messageRetentionDays: only 0 (keep messages forever) is supported yet');
  }

  const rateLimit = wholeNumber('throttleRate', get('throttleRate'));
  const burstLimit = wholeNumber('throttleBurst', get('throttleBurst'));
  if (rateLimit < 1 || burstLimit < 1) throw new Error('context throttleRate and throttleBurst: at least 1');

  const removal = String(get('removalPolicy'));
  if (removal !== 'retain' && removal !== 'destroy') {
    throw new Error(`context removalPolicy: "retain" or "destroy", got "${removal}"`);
  }

  const alarmEmail = node.tryGetContext('alarmEmail') as unknown;
  if (alarmEmail !== undefined && (typeof alarmEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(alarmEmail))) {
    throw new Error(`context alarmEmail: an e-mail address, got "${String(alarmEmail)}"`);
  }

  const poll = readPollSettings(get);

  return {
    stage,
    logRetention: logRetentionDays as RetentionDays,
    messageRetentionDays,
    throttle: { rateLimit, burstLimit },
    removalPolicy: removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    sessionKeyVersion: String(get('sessionKeyVersion')),
    alarmEmail,
    poll,
  };
}

function readPollSettings(get: (key: keyof typeof CONTEXT_DEFAULTS) => unknown): PollSettings {
  const waitSeconds = wholeNumber('pollWaitSeconds', get('pollWaitSeconds'));
  if (waitSeconds > MAX_POLL_WAIT_S) {
    throw new Error(
      `context pollWaitSeconds: 0 to ${MAX_POLL_WAIT_S} (a held poll needs its wait plus 15 s for the store, ` +
        `within the HTTP API's 30 s), got ${waitSeconds}`,
    );
  }

  const checkMs = wholeNumber('pollWaitCheckMs', get('pollWaitCheckMs'));
  if (checkMs < POLL_CHECK_MS.min || checkMs > POLL_CHECK_MS.max) {
    throw new Error(`context pollWaitCheckMs: ${POLL_CHECK_MS.min} to ${POLL_CHECK_MS.max} ms, got ${checkMs}`);
  }

  // auto: a budget while polls are held; none while they are not, as short as any other call
  // (a reservation would only take concurrency from the rest of the account, and fail the
  // deploy in a new account whose quota is still 10 or 50).
  const raw = String(get('pollConcurrency'));
  let concurrency: number | undefined;
  if (raw === 'auto') concurrency = waitSeconds > 0 ? DEFAULT_POLL_CONCURRENCY : undefined;
  else if (raw === 'none') concurrency = undefined;
  else {
    concurrency = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      throw new Error(`context pollConcurrency: "auto", "none" or a whole number of at least 1, got "${raw}"`);
    }
  }
  if (concurrency === undefined && waitSeconds > 0) {
    throw new Error(
      'context pollConcurrency: held polls need a budget (a number, or "auto"), or they could take ' +
        'every instance the account has from sends and logins; "none" only with pollWaitSeconds 0',
    );
  }
  return { waitSeconds, checkMs, concurrency };
}

/** Context from cdk.json is a number; from `-c key=value` it is a string. */
function wholeNumber(key: string, value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`context ${key}: a whole number, got "${String(value)}"`);
  return n;
}
