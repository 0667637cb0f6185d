/**
 * The whole chat in one stack: table, session key, functions, HTTP API, page and CDN,
 * alarms. Environment-agnostic (no account or Region in the code): `cdk deploy` takes them
 * from the caller's credentials, and `cdk synth` needs none.
 */
import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ChatAlarms } from './chat-alarms';
import { ChatFunctions } from './chat-functions';
import { ChatHttpApi } from './chat-http-api';
import { ChatSite } from './chat-site';
import { ChatTable } from './chat-table';
import type { ChatStackConfig } from './config';
import { SessionKeySecret } from './session-key-secret';

export interface ChatStackProps extends StackProps {
  readonly config: ChatStackConfig;
  /** The built page (scripts/build.mjs `buildWeb`). */
  readonly siteDir: string;
}

export class ChatStack extends Stack {
  readonly data: ChatTable;
  readonly sessionKey: SessionKeySecret;
  readonly functions: ChatFunctions;
  readonly httpApi: ChatHttpApi;
  readonly site: ChatSite;
  readonly alarms: ChatAlarms;

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id, { description: `Serverless polling chat (${props.config.stage})`, ...props });
    const { config } = props;
    Tags.of(this).add('app', 'chat');
    Tags.of(this).add('stage', config.stage);

    this.data = new ChatTable(this, 'Data', { removalPolicy: config.removalPolicy });
    this.sessionKey = new SessionKeySecret(this, 'SessionKey', { removalPolicy: config.removalPolicy });
    this.functions = new ChatFunctions(this, 'Functions', {
      table: this.data.table,
      sessionKey: this.sessionKey.secret,
      sessionKeyVersion: config.sessionKeyVersion,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      poll: config.poll,
    });
    this.httpApi = new ChatHttpApi(this, 'Http', {
      functions: this.functions.byName,
      throttle: config.throttle,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.site = new ChatSite(this, 'Site', {
      siteDir: props.siteDir,
      apiDomainName: this.httpApi.domainName,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.alarms = new ChatAlarms(this, 'Alarms', {
      api: this.httpApi.api,
      functions: this.functions.all,
      pollBudget:
        config.poll.concurrency !== undefined
          ? { reader: this.functions.reader, concurrency: config.poll.concurrency }
          : undefined,
      alarmEmail: config.alarmEmail,
    });

    new CfnOutput(this, 'SiteUrl', {
      description: 'The chat: the page, and the API under /api',
      value: `https://${this.site.distribution.distributionDomainName}`,
    });
    new CfnOutput(this, 'ApiUrl', {
      description: 'The HTTP API directly (the page uses SiteUrl/api)',
      value: this.httpApi.api.apiEndpoint,
    });
    new CfnOutput(this, 'SessionKeySecretArn', {
      description: 'The secret that signs sessions (its ARN, not its value): see DEPLOY.md to rotate it',
      value: this.sessionKey.secret.secretArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe to be told when an alarm fires',
      value: this.alarms.topic.topicArn,
    });
  }
}
