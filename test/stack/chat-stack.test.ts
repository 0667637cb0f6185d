/**
 * The synthesised template, property by property, for everything that matters for security
 * and correctness. One synth for the whole file (bundling skipped: the template is the same).
 */
import { VIEWER_ADDRESS_HEADER } from '#stack/chat-functions';
import { viewerAddressCode } from '#stack/chat-site';
import { Match } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import type { CfnResource } from 'aws-cdk-lib';
import { ROUTES, routeKey, type FunctionName } from '#http/routes';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '#aws/table';
import { CONTENT_SECURITY_POLICY, SITE_HEADERS } from '#lib/site-headers';
import { FUNCTION_NEEDS } from '#stack/chat-functions';
import { ACCESS_LOG_FIELDS } from '#stack/chat-http-api';
import { EDGE_RETRY_AFTER_S, UNAVAILABLE_BODY, UNAVAILABLE_PAGE_PATH } from '#stack/chat-site';
import { CDK_JSON_CONTEXT, idsOfType, resources, synthChat, type Resources, type Synthesised } from './synth';

const FUNCTION_NAMES = Object.keys(FUNCTION_NEEDS) as FunctionName[];

let synth: Synthesised;
let all: Resources;
let id: (construct: { node: { defaultChild?: unknown } }) => string;

beforeAll(() => {
  synth = synthChat();
  all = resources(synth.template);
  id = (construct) =>
    synth.stack.resolve(synth.stack.getLogicalId(construct.node.defaultChild as CfnResource)) as string;
}, 120_000); // the first synth in a process loads most of aws-cdk-lib
afterAll(() => synth.cleanup());

const fn = (name: FunctionName) => synth.stack.functions.byName[name];
const tableId = () => id(synth.stack.data.table);
const secretId = () => id(synth.stack.sessionKey.secret);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** A role's inline statements as comparable values: sorted actions, the resource as in the template. */
function statementsOf(roleId: string): { actions: string[]; resource: unknown }[] {
  const policies = all[roleId]!.Properties.Policies as { PolicyDocument: { Statement: any[] } }[];
  return policies
    .flatMap((p) => p.PolicyDocument.Statement)
    .map((s) => {
      expect(s.Effect).toBe('Allow');
      return { actions: asList<string>(s.Action).sort(), resource: s.Resource };
    });
}

/** Every IAM statement in the template, wherever it lives (roles, policies, bucket and topic policies). */
function everyStatement(): any[] {
  const found: any[] = [];
  for (const r of Object.values(all)) {
    const docs = [
      r.Properties?.PolicyDocument,
      ...((r.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument),
    ];
    for (const doc of docs) if (doc) found.push(...(doc as { Statement: any[] }).Statement);
  }
  return found;
}

describe('the data table', () => {
  it('has the keys of the message log: pk string, sk number', () => {
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals([
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'N' },
      ]),
    });
    expect(idsOfType(synth.template, 'AWS::DynamoDB::Table')).toHaveLength(1);
  });

  it('is billed per request, with point-in-time recovery and encryption at rest under a KMS key', () => {
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('expires items by their expiresAt attribute', () => {
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('is retained and protected from deletion when the stack goes', () => {
    const table = all[tableId()]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
  });

  it('has no physical name, nor has any function, bucket, role, log group or API', () => {
    const nameProperty: Record<string, string> = {
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::S3::Bucket': 'BucketName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::SecretsManager::Secret': 'Name',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::ApiGatewayV2::Api': 'Name',
    };
    const named: string[] = [];
    for (const [logicalId, r] of Object.entries(all)) {
      const key = nameProperty[r.Type];
      if (key !== undefined && r.Properties?.[key] !== undefined) named.push(`${logicalId}.${key}`);
    }
    // API Gateway requires a name but not a unique one. (The response headers policy's name,
    // required and unique per account, is derived from the stack name and the Region.)
    expect(named.sort()).toEqual([`${id(synth.stack.httpApi.api)}.Name`]);
  });
});

describe('the functions', () => {
  it('are the handlers of the routes plus not-found, on Node.js 24 and ARM64, with source maps on', () => {
    const routed = new Set([...ROUTES.map((r) => r.function), 'not-found']);
    expect(new Set(FUNCTION_NAMES)).toEqual(routed);
    const chatFunctions = FUNCTION_NAMES.map((name) => all[id(fn(name).function)]!);
    for (const f of chatFunctions) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 256,
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      });
    }
  });

  it('have the timeouts chosen per function, all below the HTTP API limit of 30 s', () => {
    for (const name of FUNCTION_NAMES) {
      const timeout = all[id(fn(name).function)]!.Properties.Timeout as number;
      expect(timeout).toBe(FUNCTION_NEEDS[name].timeout.toSeconds());
      expect(timeout).toBeLessThan(30);
    }
  });

  it('each write to their own log group, kept for the configured days', () => {
    for (const name of FUNCTION_NAMES) {
      const logGroupId = id(fn(name).logGroup);
      expect(all[id(fn(name).function)]!.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(all[logGroupId]!.Properties.RetentionInDays).toBe(CDK_JSON_CONTEXT.logRetentionDays);
    }
  });

  it('each get exactly the permissions their code needs, and nothing else', () => {
    const expected: Record<FunctionName, { actions: string[]; resource: unknown }[]> = {
      login: [
        { actions: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'], resource: { 'Fn::GetAtt': [tableId(), 'Arn'] } },
        { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: secretId() } },
      ],
      'get-session': [
        { actions: ['dynamodb:Query'], resource: { 'Fn::GetAtt': [tableId(), 'Arn'] } },
        { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: secretId() } },
      ],
      'create-device-link': [
        { actions: ['dynamodb:PutItem', 'dynamodb:Query'], resource: { 'Fn::GetAtt': [tableId(), 'Arn'] } },
        { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: secretId() } },
      ],
      logout: [
        { actions: ['dynamodb:PutItem', 'dynamodb:Query'], resource: { 'Fn::GetAtt': [tableId(), 'Arn'] } },
        { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: secretId() } },
      ],
      health: [],
      'not-found': [],
      'read-messages': [
        { actions: ['dynamodb:Query'], resource: { 'Fn::GetAtt': [tableId(), 'Arn'] } },
        { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: secretId() } },
      ],
      'send-message': [
        {
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          resource: { 'Fn::GetAtt': [tableId(), 'Arn'] },
        },
        { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: secretId() } },
      ],
      'change-message': [
        {
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          resource: { 'Fn::GetAtt': [tableId(), 'Arn'] },
        },
        { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: secretId() } },
      ],
      'update-presence': [
        { actions: ['dynamodb:Query', 'dynamodb:UpdateItem'], resource: { 'Fn::GetAtt': [tableId(), 'Arn'] } },
        { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: secretId() } },
      ],
    };
    for (const name of FUNCTION_NAMES) {
      const ownLogs = {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resource: { 'Fn::GetAtt': [id(fn(name).logGroup), 'Arn'] },
      };
      expect({ name, statements: statementsOf(id(fn(name).role)) }).toEqual({
        name,
        statements: [ownLogs, ...expected[name]],
      });
    }
  });

  it('have roles with no managed policy and no policy attached from elsewhere', () => {
    const roleIds = FUNCTION_NAMES.map((name) => id(fn(name).role));
    for (const roleId of roleIds) expect(all[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    const attached = Object.values(all).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && roleIds.some((roleId) => JSON.stringify(r.Properties.Roles).includes(roleId)),
    );
    expect(attached).toEqual([]);
  });

  it('are the only ones allowed anything on the table, and never with a wildcard action', () => {
    const onTable = everyStatement().filter((s) => JSON.stringify(s.Resource ?? '').includes(tableId()));
    expect(onTable.length).toBe(8); // every function but health and not-found
    for (const s of onTable) {
      for (const action of asList<string>(s.Action)) expect(action).toMatch(/^dynamodb:[A-Za-z]+$/);
    }
  });

  it('tell each function its table and session key only when it uses them', () => {
    for (const name of FUNCTION_NAMES) {
      const env = all[id(fn(name).function)]!.Properties.Environment.Variables as Record<string, unknown>;
      const needs = FUNCTION_NEEDS[name];
      expect({ name, table: env.CHAT_TABLE_NAME }).toEqual({
        name,
        table: needs.table.length ? { Ref: tableId() } : undefined,
      });
      expect({ name, secret: env.CHAT_SESSION_KEY_SECRET_ARN, version: env.CHAT_SESSION_KEY_VERSION }).toEqual(
        needs.sessionKey
          ? { name, secret: { Ref: secretId() }, version: CDK_JSON_CONTEXT.sessionKeyVersion }
          : { name, secret: undefined, version: undefined },
      );
      expect(env.CHAT_SESSION_KEY).toBeUndefined();
    }
  });

  it('tell only the read function how long to hold a poll: by default not at all, re-checking every second', () => {
    for (const name of FUNCTION_NAMES) {
      const env = all[id(fn(name).function)]!.Properties.Environment.Variables as Record<string, unknown>;
      expect({ name, wait: env.CHAT_WAIT_MAX_S, check: env.CHAT_WAIT_CHECK_MS }).toEqual(
        name === 'read-messages'
          ? { name, wait: String(CDK_JSON_CONTEXT.pollWaitSeconds), check: String(CDK_JSON_CONTEXT.pollWaitCheckMs) }
          : { name, wait: undefined, check: undefined },
      );
    }
    expect(CDK_JSON_CONTEXT.pollWaitSeconds).toBe(0);
  });

  it('reserve no concurrency while polls are not held, so a new account with a small quota can deploy', () => {
    for (const name of FUNCTION_NAMES) {
      expect({ name, reserved: all[id(fn(name).function)]!.Properties.ReservedConcurrentExecutions }).toEqual({
        name,
        reserved: undefined,
      });
    }
  });
});

describe('the session key', () => {
  it('is generated by Secrets Manager at deploy time, so its value appears nowhere in the template', () => {
    const secret = all[secretId()]!;
    expect(secret.Properties.GenerateSecretString).toEqual({
      PasswordLength: 64,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it('can be read by no one but the eight functions that sign or verify sessions', () => {
    const readers = everyStatement().filter((s) => JSON.stringify(s).includes(secretId()));
    expect(readers).toHaveLength(8);
    for (const s of readers) expect(s.Action).toBe('secretsmanager:GetSecretValue');
  });
});

describe('the HTTP API', () => {
  const routes = () => idsOfType(synth.template, 'AWS::ApiGatewayV2::Route').map((routeId) => all[routeId]!.Properties);

  /** The function a route's integration invokes, by its name in FUNCTION_NEEDS. */
  function functionOf(route: any): FunctionName {
    const integrationId = route.Target['Fn::Join'][1][1].Ref as string;
    const functionId = all[integrationId]!.Properties.IntegrationUri['Fn::GetAtt'][0] as string;
    return FUNCTION_NAMES.find((name) => id(fn(name).function) === functionId)!;
  }

  it('has exactly the routes of the local server (functions/shared/routes.ts), and $default', () => {
    const keys = routes()
      .map((r) => r.RouteKey)
      .sort();
    expect(keys).toEqual([...ROUTES.map(routeKey), '$default'].sort());
  });

  it('sends each route to the function the local server calls, and $default to not-found', () => {
    const byKey = Object.fromEntries(routes().map((r) => [r.RouteKey, functionOf(r)]));
    expect(byKey).toEqual(
      Object.fromEntries([...ROUTES.map((r) => [routeKey(r), r.function]), ['$default', 'not-found']]),
    );
  });

  it('passes requests as payload format 2.0, the event the handlers read', () => {
    for (const integrationId of idsOfType(synth.template, 'AWS::ApiGatewayV2::Integration')) {
      expect(all[integrationId]!.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
    }
  });

  it('has one $default stage that deploys itself and throttles at the configured rate and burst', () => {
    expect(idsOfType(synth.template, 'AWS::ApiGatewayV2::Stage')).toHaveLength(1);
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: CDK_JSON_CONTEXT.throttleRate,
        ThrottlingBurstLimit: CDK_JSON_CONTEXT.throttleBurst,
      },
    });
  });

  it('writes one JSON access log line per request to a log group with the configured retention', () => {
    const stage = all[id(synth.stack.httpApi.stage)]!.Properties;
    const accessLogsId = id(synth.stack.httpApi.accessLogs);
    expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [accessLogsId, 'Arn'] });
    expect(JSON.parse(stage.AccessLogSettings.Format)).toEqual(ACCESS_LOG_FIELDS);
    expect(all[accessLogsId]!.Properties.RetentionInDays).toBe(CDK_JSON_CONTEXT.logRetentionDays);
  });
});

describe('the site', () => {
  const bucketId = () => id(synth.stack.site.bucket);
  const logBucketId = () => id(synth.stack.site.logBucket);
  const distribution = () => all[id(synth.stack.site.distribution)]!.Properties.DistributionConfig;
  const headersPolicyRef = () => ({ Ref: id(synth.stack.site.headers) });
  const apiHeadersPolicyRef = () => ({ Ref: id(synth.stack.site.apiHeaders) });

  it('keeps both buckets private: all public access blocked, S3-managed encryption, TLS required', () => {
    for (const b of [bucketId(), logBucketId()]) {
      expect(all[b]!.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(all[b]!.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      const policy = Object.values(all).find(
        (r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === b,
      )!;
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('lets only this distribution read the page bucket, through origin access control', () => {
    const policy = Object.values(all).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId(),
    )!;
    const allows = (policy.Properties.PolicyDocument.Statement as any[]).filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.objectContaining({}) } },
      }),
    ]);
    expect(JSON.stringify(allows[0].Condition)).toContain(id(synth.stack.site.distribution));
    const s3Origin = distribution().Origins.find((o: any) => o.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toBeDefined();
    expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  });

  it('logs access to the page bucket and to the CDN into the log bucket', () => {
    expect(all[bucketId()]!.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logBucketId() },
      LogFilePrefix: 's3/',
    });
    expect(distribution().Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logBucketId(), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
  });

  it('serves the page from the bucket over HTTPS only, index.html at the root', () => {
    const config = distribution();
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: headersPolicyRef(),
    });
    const s3Origin = config.Origins.find((o: any) => o.S3OriginConfig);
    expect(config.DefaultCacheBehavior.TargetOriginId).toBe(s3Origin.Id);
  });

  it('passes /api/* to the HTTP API over TLS 1.2: uncached, every method, all query strings and cookies, not Host', () => {
    const config = distribution();
    expect(config.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual(['/api/*', '/errors/*']);
    const api = config.CacheBehaviors[0];
    expect(api).toMatchObject({
      PathPattern: '/api/*',
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
      CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
      OriginRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
      ResponseHeadersPolicyId: apiHeadersPolicyRef(),
    });
    const origin = config.Origins.find((o: any) => o.Id === api.TargetOriginId);
    // CloudFront waits longer than the HTTP API ever does (30 s), so it never repeats a held poll itself.
    expect(origin.CustomOriginConfig).toEqual({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
      OriginReadTimeout: 35,
    });
    expect(origin.DomainName).toEqual({
      'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [id(synth.stack.httpApi.api), 'ApiEndpoint'] }] }],
    });
  });

  it("stamps the viewer's address on every API request, for the login limit that trusts only that header", () => {
    const api = distribution().CacheBehaviors[0];
    expect(api.FunctionAssociations).toHaveLength(1);
    expect(api.FunctionAssociations[0].EventType).toBe('viewer-request');
    const fnId = api.FunctionAssociations[0].FunctionARN['Fn::GetAtt'][0];
    expect(all[fnId]!.Properties.FunctionCode).toBe(viewerAddressCode(VIEWER_ADDRESS_HEADER));
    for (const name of FUNCTION_NAMES) {
      const env = all[id(fn(name).function)]!.Properties.Environment.Variables as Record<string, unknown>;
      expect({ name, header: env.CHAT_CLIENT_ADDRESS_HEADER }).toEqual({
        name,
        header: name === 'login' ? VIEWER_ADDRESS_HEADER : undefined,
      });
    }
  });

  it('adds the local server’s security headers to every response, with HSTS, and a CSP without inline script', () => {
    for (const policy of [synth.stack.site.headers, synth.stack.site.apiHeaders]) {
      const headers = all[id(policy)]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
      expect(headers).toEqual({
        ContentSecurityPolicy: { ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true },
        ContentTypeOptions: { Override: true },
        ReferrerPolicy: { ReferrerPolicy: SITE_HEADERS['Referrer-Policy'], Override: true },
        FrameOptions: { FrameOption: SITE_HEADERS['X-Frame-Options'], Override: true },
        StrictTransportSecurity: { AccessControlMaxAgeSec: 365 * 24 * 3600, IncludeSubdomains: true, Override: true },
      });
    }
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('answers any 500 as the API’s 503 with Retry-After, and never keeps an error in the edge cache', () => {
    // API Gateway answers a throttled invocation with its own 500; an HTTP API cannot change it.
    expect(distribution().CustomErrorResponses).toEqual([
      { ErrorCode: 500, ResponseCode: 503, ResponsePagePath: UNAVAILABLE_PAGE_PATH, ErrorCachingMinTTL: 0 },
      { ErrorCode: 502, ErrorCachingMinTTL: 0 },
      { ErrorCode: 503, ErrorCachingMinTTL: 0 },
      { ErrorCode: 504, ErrorCachingMinTTL: 0 },
    ]);
    // The body is the one the handlers answer 503 with, served from the page bucket.
    expect(JSON.parse(UNAVAILABLE_BODY)).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
    const errors = distribution().CacheBehaviors.find((b: any) => b.PathPattern === '/errors/*');
    expect(errors).toMatchObject({
      TargetOriginId: distribution().DefaultCacheBehavior.TargetOriginId,
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: apiHeadersPolicyRef(),
    });
    expect(errors.AllowedMethods).toBeUndefined(); // CloudFront's default: GET and HEAD only
    expect(UNAVAILABLE_PAGE_PATH).toMatch(/^\/errors\/[a-z-]+\.json$/);
  });

  it('adds Retry-After and Cache-Control: no-store to API answers that lack them, never over the handlers’ own', () => {
    const custom = all[id(synth.stack.site.apiHeaders)]!.Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig;
    expect(custom).toEqual({
      Items: [
        { Header: 'Retry-After', Value: String(EDGE_RETRY_AFTER_S), Override: false },
        { Header: 'Cache-Control', Value: 'no-store', Override: false },
      ],
    });
    // The page itself gets neither.
    expect(
      all[id(synth.stack.site.headers)]!.Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig,
    ).toBeUndefined();
  });

  it('deploys the page into the bucket and invalidates the CDN', () => {
    synth.template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: bucketId() },
      DistributionId: { Ref: id(synth.stack.site.distribution) },
      DistributionPaths: ['/*'],
      Prune: true,
    });
    // The built page, and the error body.
    const deployment = Object.values(all).find((r) => r.Type === 'Custom::CDKBucketDeployment')!;
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
  });
});

describe('operations', () => {
  it('alarms on the 5xx rate, store throttles, function errors and function throttles, all to one topic', () => {
    // With no poll held (the default) the read function has no budget, so no budget alarm either.
    const topic = { Ref: id(synth.stack.alarms.topic) };
    const alarmIds = idsOfType(synth.template, 'AWS::CloudWatch::Alarm');
    expect(alarmIds.map((a) => a.replace(/^Alarms|[0-9A-F]{8}$/g, '')).sort()).toEqual(
      ['FunctionErrors', 'FunctionThrottles', 'ServerErrorRate', 'StoreThrottles'].sort(),
    );
    for (const a of alarmIds) expect(all[a]!.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
  });

  it('counts every function in the function alarms', () => {
    for (const alarm of synth.stack.alarms.alarms.filter((a) => /Function/.test(a.node.id))) {
      const metrics = all[id(alarm)]!.Properties.Metrics as any[];
      const dimensions = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.Dimensions[0].Value.Ref);
      expect(dimensions.sort()).toEqual(FUNCTION_NAMES.map((name) => id(fn(name).function)).sort());
    }
  });

  it('reads the store-throttle count where the functions publish it: namespace Chat, service = stack name', () => {
    const alarm = all[id(synth.stack.alarms.alarms.find((a) => a.node.id === 'StoreThrottles')!)]!.Properties;
    expect(alarm).toMatchObject({
      Namespace: 'Chat',
      MetricName: 'StoreThrottles',
      Dimensions: [{ Name: 'service', Value: synth.stack.stackName }],
    });
    for (const name of FUNCTION_NAMES) {
      expect(all[id(fn(name).function)]!.Properties.Environment.Variables).toMatchObject({
        CHAT_METRICS_NAMESPACE: 'Chat',
        POWERTOOLS_SERVICE_NAME: synth.stack.stackName,
      });
    }
  });

  it('outputs the site URL, the API URL, and where the session key and the alarms are', () => {
    const outputs = synth.template.toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual(['AlarmTopicArn', 'ApiUrl', 'SessionKeySecretArn', 'SiteUrl']);
    expect(outputs.SessionKeySecretArn.Value).toEqual({ Ref: secretId() });
    expect(outputs.SiteUrl.Value).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id(synth.stack.site.distribution), 'DomainName'] }]],
    });
    expect(outputs.ApiUrl.Value).toEqual({ 'Fn::GetAtt': [id(synth.stack.httpApi.api), 'ApiEndpoint'] });
  });
});
