/**
 * The page and its one origin: a private bucket served by CloudFront through origin access
 * control, and `/api/*` on the same distribution passed through to the HTTP API uncached.
 * Page and API share one origin, so the session cookie needs no CORS and stays SameSite=Strict.
 *
 * Errors the API Gateway makes itself (a throttled or failed invocation) carry neither the
 * API's error body nor its headers; the distribution turns them into the API's 503 with
 * Retry-After, and never caches an error (DEPLOY.md, "When the functions are throttled").
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  type HeadersFrameOption,
  type HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  Function as EdgeFunction,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { unavailable } from '#http/errors';
import { errorResult } from '#http/responses';
import { SITE_HEADERS } from '../site-headers';
import { VIEWER_ADDRESS_HEADER } from './chat-functions';
import { HTTP_API_INTEGRATION_LIMIT_S } from './poll-limits';

/** The page bucket's copy of the API's 503 body, which CloudFront answers instead of a 500. */
export const UNAVAILABLE_PAGE_PATH = '/errors/unavailable.json';

/** Seconds to wait before repeating a request the edge answered 503 (its Retry-After). */
export const EDGE_RETRY_AFTER_S = 1;

/** The very body the handlers answer 503 `unavailable` with, so a client cannot tell the two apart. */
export const UNAVAILABLE_BODY = errorResult(unavailable(EDGE_RETRY_AFTER_S)).body as string;

/**
 * The 5xx answers CloudFront must never keep in its cache (by default it keeps an error for
 * 10 s and serves it to every viewer of that path); 500 is also answered as the API's 503.
 */
export const UNCACHED_ERRORS = [500, 502, 503, 504] as const;

export interface ChatSiteProps {
  /** The folder of the built page (scripts/build.mjs `buildWeb`). */
  readonly siteDir: string;
  /** The HTTP API's host name. */
  readonly apiDomainName: string;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export class ChatSite extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  /** The page's headers, plus Retry-After and Cache-Control where an answer has none: for /api/* and the error body. */
  readonly apiHeaders: ResponseHeadersPolicy;
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: ChatSiteProps) {
    super(scope, id);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;

    // S3 server access logs of the page bucket and CloudFront's standard logs. CloudFront
    // delivers its logs with an ACL grant, so this bucket keeps ACLs (owner preferred).
    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(props.logRetention) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });

    // The same headers the local server sends (lib/site-headers.ts), plus HSTS.
    const securityHeadersBehavior = {
      contentSecurityPolicy: { contentSecurityPolicy: SITE_HEADERS['Content-Security-Policy']!, override: true },
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      referrerPolicy: { referrerPolicy: SITE_HEADERS['Referrer-Policy'] as HeadersReferrerPolicy, override: true },
      frameOptions: { frameOption: SITE_HEADERS['X-Frame-Options'] as HeadersFrameOption, override: true },
    };
    this.headers = new ResponseHeadersPolicy(this, 'Headers', {
      // CloudFormation requires a name, unique in the account: the same stack in two Regions must not collide.
      responseHeadersPolicyName: `${Stack.of(this).stackName}-headers-${Aws.REGION}`,
      comment: 'Chat: strict CSP, HSTS, nosniff, no referrer, no framing',
      securityHeadersBehavior,
    });
    // The handlers send both headers on every answer (Retry-After with their 429 and 503), and
    // the origin's value always wins. What lacks them are the answers API Gateway makes itself
    // (its 429 when the stage throttles, its errors when an invocation fails) and the error body
    // below. HTTP gives Retry-After no meaning on other statuses, and clients ignore it there.
    this.apiHeaders = new ResponseHeadersPolicy(this, 'ApiHeaders', {
      responseHeadersPolicyName: `${Stack.of(this).stackName}-api-headers-${Aws.REGION}`,
      comment: 'Chat API: the page headers, plus Retry-After and Cache-Control no-store where missing',
      securityHeadersBehavior,
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Retry-After', value: String(EDGE_RETRY_AFTER_S), override: false },
          { header: 'Cache-Control', value: 'no-store', override: false },
        ],
      },
    });

    const siteOrigin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Chat: the page and /api/*',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new HttpOrigin(props.apiDomainName, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
            // Longer than the HTTP API ever takes to answer (it gives up at 30 s), so CloudFront
            // never gives up first and repeats a held poll (it repeats a GET whose answer times out).
            readTimeout: Duration.seconds(HTTP_API_INTEGRATION_LIMIT_S + 5),
          }),
          // Refused over plain HTTP rather than redirected: a redirected POST arrives as a GET.
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          // Every poll must reach the store; query strings, cookies and headers all pass,
          // except Host, which must name the API for API Gateway to accept the request.
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.apiHeaders,
          // The login limit counts per viewer address: this writes it into a header of its own,
          // overwriting whatever the viewer sent under that name (X-Forwarded-For is never read).
          functionAssociations: [
            {
              function: new EdgeFunction(this, 'ViewerAddress', {
                comment: 'Chat: the viewer address, for the login limit',
                runtime: FunctionRuntime.JS_2_0,
                code: FunctionCode.fromInline(viewerAddressCode(VIEWER_ADDRESS_HEADER)),
              }),
              eventType: FunctionEventType.VIEWER_REQUEST,
            },
          ],
        },
        // The error body, from the page bucket, with the API's headers (Retry-After among them).
        '/errors/*': {
          origin: siteOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: this.apiHeaders,
        },
      },
      // API Gateway answers a throttled invocation (the read function's budget, or the
      // account's concurrency, exhausted) with its own 500, and an HTTP API cannot change that
      // answer. CloudFront can, but only for the whole distribution and by status code alone:
      // every 500 becomes the API's 503 with Retry-After, a handler's own 500 (a bug) too,
      // which still counts as a 500 in the API's metrics and alarms. No error is cached.
      errorResponses: UNCACHED_ERRORS.map((httpStatus) =>
        httpStatus === 500
          ? { httpStatus, responseHttpStatus: 503, responsePagePath: UNAVAILABLE_PAGE_PATH, ttl: Duration.seconds(0) }
          : { httpStatus, ttl: Duration.seconds(0) },
      ),
      httpVersion: HttpVersion.HTTP2_AND_3,
      // North America and Europe edges: the cheapest class; other viewers are served from there.
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The chat is for anyone anywhere: there is no country to restrict.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF web ACL (from about $5 a month plus $0.60 per million requests): the API throttles at the stage ' +
        'and per user in the store; add a web ACL here when abuse appears.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the viewer TLS policy; ' +
        'with a custom domain, set a certificate and minimumProtocolVersion TLSv1.2_2021.',
    });

    this.deployment = new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(props.siteDir), Source.data(UNAVAILABLE_PAGE_PATH.slice(1), UNAVAILABLE_BODY)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // One policy for the whole bucket: browsers revalidate every file (cheap, with ETags),
      // also the script and stylesheet, whose names carry a content hash and could be kept longer.
      cacheControl: [CacheControl.noCache()],
      logGroup: new LogGroup(this, 'DeployLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy }),
    });
    this.acknowledgeDeploymentHandler();
  }

  /** CDK's own BucketDeployment handler (one per stack) runs only during deployments. */
  private acknowledgeDeploymentHandler(): void {
    const stack = Stack.of(this);
    const role = this.deployment.handlerRole;
    const handler = role.node.scope!;
    const bucketId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)) as string;
    const why = "CDK's BucketDeployment handler, which copies the built page into the bucket during a deployment";
    const acknowledgements: Array<[string, string]> = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        `${why}: CDK attaches the basic execution role for its logs.`,
      ],
      ['AwsSolutions-IAM5[Action::s3:GetBucket*]', `${why}: CDK's read grant on the asset and page buckets.`],
      ['AwsSolutions-IAM5[Action::s3:GetObject*]', `${why}: CDK's read grant on the asset and page buckets.`],
      ['AwsSolutions-IAM5[Action::s3:List*]', `${why}: CDK's read grant on the asset and page buckets.`],
      ['AwsSolutions-IAM5[Action::s3:Abort*]', `${why}: CDK's write grant on the page bucket.`],
      [
        'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        `${why}: CDK's write grant on the page bucket; pruning removes files that left web/.`,
      ],
      [
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        `${why}: it reads the uploaded page archive from the CDK bootstrap asset bucket.`,
      ],
      [
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        `${why}: it writes every file of the page bucket, and only of that bucket.`,
      ],
      [
        'AwsSolutions-IAM5[Resource::*]',
        `${why}: CDK grants cloudfront:CreateInvalidation and GetInvalidation on any distribution to invalidate the page after a deployment.`,
      ],
    ];
    for (const [id, reason] of acknowledgements) Validations.of(role).acknowledge({ id, reason });
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `${why}: CDK pins its Python runtime; it is updated with aws-cdk-lib.`,
    });
  }
}

/** The viewer-request function: the viewer's IP, as CloudFront saw the connection, in `header`. */
export function viewerAddressCode(header: string): string {
  return [
    'function handler(event) {',
    '  var request = event.request;',
    `  request.headers[${JSON.stringify(header)}] = { value: event.viewer.ip };`,
    '  return request;',
    '}',
  ].join('\n');
}
