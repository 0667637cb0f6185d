/**
 * The page and its one origin: a private bucket served by CloudFront through origin access
 * control, and `/api/*` on the same distribution passed through to the HTTP API uncached.
 * Page and API share one origin, so the session cookie needs no CORS and stays SameSite=Strict.
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
import { SITE_HEADERS } from '../site-headers';

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
    this.headers = new ResponseHeadersPolicy(this, 'Headers', {
      // CloudFormation requires a name, unique in the account: the same stack in two Regions must not collide.
      responseHeadersPolicyName: `${Stack.of(this).stackName}-headers-${Aws.REGION}`,
      comment: 'Chat: strict CSP, HSTS, nosniff, no referrer, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: SITE_HEADERS['Content-Security-Policy']!, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: SITE_HEADERS['Referrer-Policy'] as HeadersReferrerPolicy, override: true },
        frameOptions: { frameOption: SITE_HEADERS['X-Frame-Options'] as HeadersFrameOption, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Chat: the page and /api/*',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
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
          }),
          // Refused over plain HTTP rather than redirected: a redirected POST arrives as a GET.
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          // Every poll must reach the store; query strings, cookies and headers all pass,
          // except Host, which must name the API for API Gateway to accept the request.
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
        },
      },
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
      sources: [Source.asset(props.siteDir)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // The file names carry no content hash: browsers must revalidate (cheap, with ETags).
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
