/**
 * What wakes someone up: the API answering 5xx, the store throttling, functions failing or
 * being throttled, the read function's concurrency budget running hot. Every alarm notifies
 * one SNS topic; subscribe to it (DEPLOY.md).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRIC } from '#aws/metrics';
import { METRICS_NAMESPACE, type ChatFunction } from './chat-function';
import { POLL_CONCURRENCY_ALARM_SHARE } from './poll-limits';

const PERIOD = Duration.minutes(5);

export interface ChatAlarmsProps {
  readonly api: HttpApi;
  readonly functions: readonly ChatFunction[];
  /** The read function and its reserved concurrency, when it has a budget. */
  readonly pollBudget: { readonly reader: ChatFunction; readonly concurrency: number } | undefined;
  readonly alarmEmail: string | undefined;
}

export class ChatAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ChatAlarmsProps) {
    super(scope, id);
    // Not encrypted with a KMS key: notifications carry only alarm names and states, and
    // CloudWatch cannot publish to a topic under the AWS-managed SNS key.
    this.topic = new Topic(this, 'Topic', { displayName: 'Chat alarms', enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const sum = (metrics: IMetric[], label: string) =>
      new MathExpression({
        expression: metrics.map((_, i) => `m${i}`).join(' + '),
        usingMetrics: Object.fromEntries(metrics.map((m, i) => [`m${i}`, m])),
        label,
        period: PERIOD,
      });

    this.add('ServerErrorRate', {
      description:
        '5% or more of API requests answered 5xx, two periods running (bugs, timeouts, the store out of reach).',
      metric: new MathExpression({
        // Too few requests say nothing about a rate.
        expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
          requests: props.api.metricCount({ period: PERIOD, statistic: 'Sum' }),
        },
        label: 'API 5xx %',
        period: PERIOD,
      }),
      threshold: 5,
      evaluationPeriods: 2,
    });
    this.add('StoreThrottles', {
      description: 'Requests answered 503 because DynamoDB throttled or was out of reach after retries.',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.storeThrottles,
        dimensionsMap: { service: Stack.of(this).stackName },
        statistic: 'Sum',
        period: PERIOD,
      }),
      threshold: 5,
      evaluationPeriods: 1,
    });
    this.add('FunctionErrors', {
      description: 'A function crashed or timed out (the handlers answer every error themselves, so any is a problem).',
      metric: sum(
        props.functions.map((f) => f.function.metricErrors({ period: PERIOD, statistic: 'Sum' })),
        'Function errors',
      ),
      threshold: 1,
      evaluationPeriods: 1,
    });
    this.add('FunctionThrottles', {
      description:
        "Lambda refused invocations: the account's concurrency is exhausted, or the read function's budget is " +
        '(its polls then reach the page as 503 with Retry-After).',
      metric: sum(
        props.functions.map((f) => f.function.metricThrottles({ period: PERIOD, statistic: 'Sum' })),
        'Function throttles',
      ),
      threshold: 1,
      evaluationPeriods: 1,
    });
    if (props.pollBudget) {
      const { reader, concurrency } = props.pollBudget;
      const threshold = Math.ceil(POLL_CONCURRENCY_ALARM_SHARE * concurrency);
      this.add('PollConcurrency', {
        description:
          `The read function ran ${threshold} or more instances at once (of its budget of ${concurrency}) in 3 of ` +
          '5 minutes: polls are about to be refused (503). Raise pollConcurrency if the account allows, or set ' +
          'pollWaitSeconds to 0: any hold keeps one instance busy per open page.',
        // Lambda publishes it for every function, once a minute; the peak is what matters.
        metric: reader.function.metric('ConcurrentExecutions', { statistic: 'Maximum', period: Duration.minutes(1) }),
        threshold,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      });
    }
  }

  private add(
    id: string,
    props: {
      description: string;
      metric: IMetric;
      threshold: number;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
    },
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods,
      ...(props.datapointsToAlarm !== undefined ? { datapointsToAlarm: props.datapointsToAlarm } : {}),
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is not a problem.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
