/**
 * The deployment's settings, read from CDK context (`cdk.json`, or `-c key=value` on the
 * command line) and checked before anything is built, so a typo fails the synth with a
 * message instead of deploying something else. DEPLOY.md documents every key.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

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
}

export const CONTEXT_DEFAULTS = {
  stage: 'dev',
  logRetentionDays: 30,
  messageRetentionDays: 0,
  throttleRate: 500,
  throttleBurst: 1000,
  removalPolicy: 'retain',
  sessionKeyVersion: '1',
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

  return {
    stage,
    logRetention: logRetentionDays as RetentionDays,
    messageRetentionDays,
    throttle: { rateLimit, burstLimit },
    removalPolicy: removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    sessionKeyVersion: String(get('sessionKeyVersion')),
    alarmEmail,
  };
}

/** Context from cdk.json is a number; from `-c key=value` it is a string. */
function wholeNumber(key: string, value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`context ${key}: a whole number, got "${String(value)}"`);
  return n;
}
