/**
 * Business and error counts as CloudWatch metrics (Powertools Metrics, embedded metric
 * format in the log). Every response passes `countResponse` once, in `httpHandler`.
 *
 * Published only inside Lambda, where CloudWatch reads the log: locally and in tests there
 * is nobody to read them, so they are dropped instead of cluttering the output.
 * POWERTOOLS_METRICS_DISABLED=true turns them off in Lambda too.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { runtimeInfo } from '#lib/config';

const runtime = runtimeInfo();

export const METRIC = {
  messagesSent: 'MessagesSent',
  polls: 'Polls',
  clientErrors: 'ClientErrors',
  serverErrors: 'ServerErrors',
  storeThrottles: 'StoreThrottles',
  heldPolls: 'HeldPolls',
  wakeDelay: 'WakeDelay',
  shedRequests: 'ShedRequests',
} as const;

/** The dimension `service` is the stack's name in AWS (POWERTOOLS_SERVICE_NAME), so two stacks in one account do not mix. */
export const metrics = new Metrics({
  namespace: runtime.metricsNamespace,
  serviceName: runtime.serviceName,
});

/** Which successful answers count as what, by handler name. */
const SUCCESSES: Readonly<Record<string, { readonly status: number; readonly metric: string }>> = {
  'send-message': { status: 201, metric: METRIC.messagesSent },
  'read-messages': { status: 200, metric: METRIC.polls },
};

/** The metrics one response adds up to. */
export function responseMetrics(handler: string, status: number): string[] {
  const counted: string[] = [];
  if (SUCCESSES[handler]?.status === status) counted.push(SUCCESSES[handler].metric);
  if (status >= 400 && status < 500) counted.push(METRIC.clientErrors);
  if (status >= 500) counted.push(METRIC.serverErrors);
  if (status === 503) counted.push(METRIC.storeThrottles);
  return counted;
}

/**
 * Live delivery, counted in the process (the local server logs a summary now and then) and,
 * in Lambda, added to the metrics the response publishes: each held poll, the delay from the
 * append that woke it to its answer, and each request shed under overload.
 */
export interface LiveFigures {
  heldPolls: number;
  /** Milliseconds, one per poll that a signal in this process woke. */
  wakeDelaysMs: number[];
  shed: number;
}

let live: LiveFigures = { heldPolls: 0, wakeDelaysMs: [], shed: 0 };

export function countHeldPoll(wakeDelayMs: number | undefined): void {
  live.heldPolls++;
  if (wakeDelayMs !== undefined && live.wakeDelaysMs.length < 100_000) live.wakeDelaysMs.push(wakeDelayMs);
  if (!runtime.inLambda) return;
  metrics.addMetric(METRIC.heldPolls, MetricUnit.Count, 1);
  if (wakeDelayMs !== undefined) metrics.addMetric(METRIC.wakeDelay, MetricUnit.Milliseconds, wakeDelayMs);
}

export function countShed(): void {
  live.shed++;
}

/** The figures since the last call, and a fresh start. */
export function takeLiveFigures(): LiveFigures {
  const taken = live;
  live = { heldPolls: 0, wakeDelaysMs: [], shed: 0 };
  return taken;
}

/** Counts one response and publishes at once: an invocation answers one request. */
export function countResponse(handler: string, status: number): void {
  if (!runtime.inLambda) return;
  const counted = responseMetrics(handler, status);
  if (counted.length === 0) return;
  for (const name of counted) metrics.addMetric(name, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
