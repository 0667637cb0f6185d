/**
 * The deployment settings (CDK context): what they change in the template, and the values
 * that stop the synth with a message instead of deploying something unintended.
 */
import { App } from 'aws-cdk-lib';
import { RemovalPolicy } from 'aws-cdk-lib';
import { readConfig } from '#stack/config';
import { CDK_JSON_CONTEXT, idsOfType, resources, synthChat, type Synthesised } from './synth';

const configWith = (context: Record<string, unknown>) =>
  readConfig(new App({ context: { ...CDK_JSON_CONTEXT, ...context } }).node);

describe('readConfig', () => {
  it('takes the defaults of cdk.json: stage dev, 30-day logs, messages kept forever, 500/s with bursts of 1000, retain', () => {
    expect(configWith({})).toEqual({
      stage: 'dev',
      logRetention: 30,
      messageRetentionDays: 0,
      throttle: { rateLimit: 500, burstLimit: 1000 },
      removalPolicy: RemovalPolicy.RETAIN,
      sessionKeyVersion: '1',
      alarmEmail: undefined,
      poll: { waitSeconds: 0, checkMs: 1000, concurrency: undefined },
    });
  });

  it('accepts numbers given as strings, as `cdk deploy -c key=value` passes them', () => {
    expect(configWith({ throttleRate: '50', throttleBurst: '100', logRetentionDays: '90' })).toMatchObject({
      throttle: { rateLimit: 50, burstLimit: 100 },
      logRetention: 90,
    });
  });

  it.each([
    [{ stage: 'my stage' }, /context stage/],
    [{ logRetentionDays: 45 }, /context logRetentionDays: one of 1, 3, 5, 7, 14, 30/],
    [{ throttleRate: 0 }, /throttleRate and throttleBurst: at least 1/],
    [{ throttleBurst: 'many' }, /context throttleBurst: a whole number/],
    [{ removalPolicy: 'delete' }, /context removalPolicy: "retain" or "destroy"/],
    [{ alarmEmail: 'ops' }, /context alarmEmail: an e-mail address/],
    [{ pollWaitSeconds: -1 }, /context pollWaitSeconds: a whole number/],
    [{ pollWaitSeconds: '2.5' }, /context pollWaitSeconds: a whole number/],
    [{ pollWaitSeconds: 15 }, /context pollWaitSeconds: 0 to 14 \(a held poll needs its wait plus 15 s/],
    [{ pollWaitSeconds: 25 }, /context pollWaitSeconds: 0 to 14/],
    [{ pollWaitCheckMs: 99 }, /context pollWaitCheckMs: 100 to 60000 ms, got 99/],
    [{ pollWaitCheckMs: 60_001 }, /context pollWaitCheckMs: 100 to 60000 ms/],
    [{ pollWaitCheckMs: 'often' }, /context pollWaitCheckMs: a whole number/],
    [{ pollConcurrency: 0 }, /context pollConcurrency: "auto", "none" or a whole number of at least 1, got "0"/],
    [{ pollConcurrency: 'lots' }, /context pollConcurrency: "auto", "none" or a whole number/],
    [{ pollWaitSeconds: 5, pollConcurrency: 'none' }, /context pollConcurrency: held polls need a budget/],
  ])('refuses %j', (context, message) => {
    expect(() => configWith(context)).toThrow(message);
  });

  it('holds polls only with a concurrency budget: 100 by default, or the one given', () => {
    expect(configWith({ pollWaitSeconds: 14 }).poll).toEqual({ waitSeconds: 14, checkMs: 1000, concurrency: 100 });
    expect(configWith({ pollWaitSeconds: '10', pollWaitCheckMs: '500', pollConcurrency: '250' }).poll).toEqual({
      waitSeconds: 10,
      checkMs: 500,
      concurrency: 250,
    });
    // A budget for short polls too, if asked for (against a slow store); none, if asked for.
    expect(configWith({ pollConcurrency: 40 }).poll.concurrency).toBe(40);
    expect(configWith({ pollConcurrency: 'none' }).poll.concurrency).toBeUndefined();
  });

  it('refuses a message retention other than 0 until the message log can expire messages safely', () => {
    expect(() => configWith({ messageRetentionDays: 30 })).toThrow(
      'context messageRetentionDays: only 0 (keep messages forever) is supported yet',
    );
  });
});

describe('a synth with a wrong poll setting', () => {
  it.each([
    [{ pollWaitSeconds: 20 }, /context pollWaitSeconds: 0 to 14/],
    [{ pollWaitCheckMs: 50 }, /context pollWaitCheckMs: 100 to 60000 ms/],
    [{ pollWaitSeconds: 3, pollConcurrency: 'none' }, /context pollConcurrency: held polls need a budget/],
  ])('stops with a message: %j', (context, message) => {
    expect(() => synthChat(context)).toThrow(message);
  });
});

describe('a stack synthesised with other settings', () => {
  let synth: Synthesised;
  beforeAll(() => {
    synth = synthChat({
      stage: 'prod',
      logRetentionDays: 90,
      throttleRate: 50,
      throttleBurst: 100,
      removalPolicy: 'destroy',
      sessionKeyVersion: '2',
      alarmEmail: 'ops@example.com',
    });
  }, 120_000); // the first synth in a process loads most of aws-cdk-lib
  afterAll(() => synth.cleanup());

  it('is named after the stage, so stages deploy side by side', () => {
    expect(synth.stack.stackName).toBe('Chat-prod');
  });

  it('throttles the API stage as configured', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('keeps every log group, and the access-log bucket’s objects, for the configured days', () => {
    const all = resources(synth.template);
    const logGroups = idsOfType(synth.template, 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBe(12); // ten functions, the API's access logs, the page deployment
    for (const lg of logGroups) expect(all[lg]!.Properties.RetentionInDays).toBe(90);
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
    });
  });

  it('deletes the table, the secret, the logs and the emptied buckets with the stack when asked to', () => {
    const all = resources(synth.template);
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::SecretsManager::Secret',
      'AWS::Logs::LogGroup',
      'AWS::S3::Bucket',
    ]) {
      for (const r of idsOfType(synth.template, type))
        expect({ r, policy: all[r]!.DeletionPolicy }).toEqual({ r, policy: 'Delete' });
    }
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    expect(idsOfType(synth.template, 'Custom::S3AutoDeleteObjects')).toHaveLength(2);
  });

  it('hands the new session key version to the functions that read the key, so they start fresh', () => {
    const versions = Object.values(resources(synth.template))
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Properties.Environment?.Variables?.CHAT_SESSION_KEY_VERSION)
      .filter((v) => v !== undefined);
    expect(versions).toEqual(['2', '2', '2', '2', '2', '2', '2', '2']);
  });

  it('sends the alarms to the given e-mail address', () => {
    synth.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});
