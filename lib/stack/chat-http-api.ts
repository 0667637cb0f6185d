/**
 * The HTTP API: exactly the routes of lib/http/routes.ts (the table the local server
 * routes by), everything else to `not-found`, one `$default` stage with throttling and
 * JSON access logs.
 */
import { Fn, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES, type FunctionName } from '#http/routes';
import type { ChatFunction } from './chat-function';

/** One JSON object per request; HTTP API `$context` variables. No bodies, no tokens, no cookies. */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
} as const;

export interface ChatHttpApiProps {
  readonly functions: Readonly<Record<FunctionName, ChatFunction>>;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export class ChatHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ChatHttpApiProps) {
    super(scope, id);
    const integration = (name: FunctionName) =>
      new HttpLambdaIntegration(`${props.functions[name].deployedAs}Integration`, props.functions[name].function);

    this.api = new HttpApi(this, 'Api', {
      description: 'The chat API (reached through CloudFront at /api/*)',
      // The stage below is declared explicitly, to give it throttling and access logs.
      createDefaultStage: false,
    });
    // Whatever matches no route: 404 with the documented JSON body, or 405 with Allow.
    const defaultRoute = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integration('not-found'),
    });
    const routes: HttpRoute[] = ROUTES.flatMap((route) =>
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integration(route.function),
      }),
    );

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    for (const [i, route] of ROUTES.entries()) {
      Validations.of(routes[i]!).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: route.public
          ? `${route.method} ${route.path} is public by the API contract (no session exists yet, or none is needed).`
          : `${route.method} ${route.path}: the handler verifies the signed session token (bearer or cookie) itself, ` +
            'the same code locally and in AWS, and answers 401 with the JSON body the API contract requires; ' +
            'an HTTP API authorizer would answer its own body and cost a second invocation per request.',
      });
    }
    Validations.of(defaultRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route only answers 404 or 405 and reads no data, so there is nothing to authorise.',
    });
  }

  /** The API's host name, for CloudFront's origin. */
  get domainName(): string {
    return Fn.select(2, Fn.split('/', this.api.apiEndpoint));
  }
}
