/**
 * The stack with polls held (pollWaitSeconds > 0): the read function is told the hold and the
 * re-check interval, its timeout covers the longest hold plus the store's worst case within
 * the HTTP API's limit, and it has a concurrency budget, watched by an alarm, so that held
 * polls can never take from sends and logins the instances they need.
 */
import type { CfnResource } from 'aws-cdk-lib';
import type { FunctionName } from '#http/routes';
import { FUNCTION_NEEDS } from '#stack/chat-functions';
import {
  DEFAULT_POLL_CONCURRENCY,
  FUNCTION_TIMEOUT_LIMIT_S,
  HTTP_API_INTEGRATION_LIMIT_S,
  MAX_POLL_WAIT_S,
  POLL_STORE_BUDGET_S,
} from '#stack/poll-limits';
import { idsOfType, resources, synthChat, type Resources, type Synthesised } from './synth';

const FUNCTION_NAMES = Object.keys(FUNCTION_NEEDS) as FunctionName[];

let synth: Synthesised;
let all: Resources;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  synth.stack.resolve(synth.stack.getLogicalId(construct.node.defaultChild as CfnResource)) as string;
const fnResource = (name: FunctionName) => all[id(synth.stack.functions.byName[name].function)]!;

beforeAll(() => {
  // The longest hold the stack allows, a faster re-check, and the default budget.
  synth = synthChat({ pollWaitSeconds: MAX_POLL_WAIT_S, pollWaitCheckMs: 500 });
  all = resources(synth.template);
}, 120_000); // the first synth in a process loads most of aws-cdk-lib
afterAll(() => synth.cleanup());

describe('the read function, holding polls', () => {
  it('is told the longest hold and the re-check interval, and no other function is', () => {
    for (const name of FUNCTION_NAMES) {
      const env = fnResource(name).Properties.Environment.Variables as Record<string, unknown>;
      expect({ name, wait: env.CHAT_WAIT_MAX_S, check: env.CHAT_WAIT_CHECK_MS }).toEqual(
        name === 'read-messages'
          ? { name, wait: String(MAX_POLL_WAIT_S), check: '500' }
          : { name, wait: undefined, check: undefined },
      );
    }
  });

  it('may run for the hold plus the store’s worst case, and still ends before the HTTP API gives up', () => {
    const timeout = fnResource('read-messages').Properties.Timeout as number;
    expect(timeout).toBe(MAX_POLL_WAIT_S + POLL_STORE_BUDGET_S);
    expect(timeout).toBe(FUNCTION_TIMEOUT_LIMIT_S);
    expect(timeout).toBeLessThan(HTTP_API_INTEGRATION_LIMIT_S);
    // The HTTP API's integration waits as long as it can.
    for (const integration of idsOfType(synth.template, 'AWS::ApiGatewayV2::Integration')) {
      const ms = all[integration]!.Properties.TimeoutInMillis as number | undefined;
      expect(ms === undefined || ms >= timeout * 1000).toBe(true);
    }
    // The other functions keep theirs.
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'read-messages')) {
      expect(fnResource(name).Properties.Timeout).toBe(FUNCTION_NEEDS[name].timeout.toSeconds());
    }
  });

  it('has a concurrency budget of its own, and it alone: a tenth of the default account quota', () => {
    for (const name of FUNCTION_NAMES) {
      expect({ name, reserved: fnResource(name).Properties.ReservedConcurrentExecutions }).toEqual({
        name,
        reserved: name === 'read-messages' ? DEFAULT_POLL_CONCURRENCY : undefined,
      });
    }
    // The default quota is 1,000 per Region: everything else in the account keeps at least 900.
    expect(1000 - DEFAULT_POLL_CONCURRENCY).toBeGreaterThanOrEqual(900);
  });

  it('raises an alarm when the budget runs hot: 80% of it at the peak of 3 minutes in 5', () => {
    const alarm = synth.stack.alarms.alarms.find((a) => a.node.id === 'PollConcurrency');
    expect(alarm).toBeDefined();
    expect(all[id(alarm!)]!.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'ConcurrentExecutions',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(synth.stack.functions.reader.function) } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0.8 * DEFAULT_POLL_CONCURRENCY,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: id(synth.stack.alarms.topic) }],
      OKActions: [{ Ref: id(synth.stack.alarms.topic) }],
    });
  });
});

describe('a budget given explicitly', () => {
  it('is the read function’s reserved concurrency, and the alarm’s threshold follows it', () => {
    const custom = synthChat({ pollWaitSeconds: 5, pollConcurrency: '250' });
    try {
      const reader = resources(custom.template)[
        custom.stack.resolve(
          custom.stack.getLogicalId(custom.stack.functions.reader.function.node.defaultChild as CfnResource),
        ) as string
      ]!;
      expect(reader.Properties).toMatchObject({ ReservedConcurrentExecutions: 250, Timeout: 20 });
      custom.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ConcurrentExecutions',
        Threshold: 200,
      });
    } finally {
      custom.cleanup();
    }
  });
});
