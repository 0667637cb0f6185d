/**
 * One chat handler as a Lambda function, with every default in one place: runtime,
 * architecture, bundling, timeout, memory, its own log group and its own role that starts
 * with nothing but writing to that log group. Permissions are added per function with
 * `bindTable` and `bindSessionKey`, so each one gets exactly what its code calls.
 */
import { join } from 'node:path';
import { type Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { FunctionName } from '#http/routes';

export const PROJECT_ROOT = join(__dirname, '..', '..');

/** The CloudWatch namespace of the chat's own metrics (lib/aws/metrics.ts). */
export const METRICS_NAMESPACE = 'Chat';

/** Node.js 24: the newest Lambda runtime, and the AWS SDK's support outlasts Node.js 22's. */
export const RUNTIME = Runtime.NODEJS_24_X;

/**
 * esbuild on this machine (a local devDependency, so CDK never needs Docker).
 *
 * The AWS SDK is bundled, not taken from the runtime: the functions then run the SDK
 * version that the tests ran against DynamoDB Local (the message log relies on details such
 * as the item returned by a failed condition check), and a runtime update cannot change it
 * under us. It costs bundle size and a little cold-start time (figures in DEPLOY.md), which
 * minifying and preferring the SDK's ES modules (better tree shaking) keep small.
 */
export const BUNDLING: BundlingOptions = {
  bundleAwsSDK: true,
  externalModules: [],
  minify: true,
  // Stack traces in the log point at the TypeScript lines; the sources stay out of the map.
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: OutputFormat.CJS,
  mainFields: ['module', 'main'],
  logLevel: LogLevel.WARNING,
};

/** The store operations a function may be granted; each is one IAM action on the table. */
export type TableAction = 'Query' | 'GetItem' | 'PutItem' | 'UpdateItem' | 'ConditionCheckItem' | 'DeleteItem';

export interface ChatFunctionProps {
  /** The handler: `functions/<name>.ts`, export `handler`. */
  readonly name: FunctionName;
  /** Its name in the deployed stack, for the role's description. */
  readonly deployedAs: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  /** Reserved concurrency: the most instances it may run at once, set aside for it alone. Unset: none. */
  readonly reservedConcurrency?: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export class ChatFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Its name in the deployed stack (see FunctionNeeds.deployedAs). */
  readonly deployedAs: string;
  private readonly permissions = new PolicyDocument();

  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    super(scope, id);
    this.deployedAs = props.deployedAs;
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });

    // Its own role with an inline policy instead of the managed AWSLambdaBasicExecutionRole,
    // which may write to any log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `The ${props.deployedAs} function of the chat`,
      inlinePolicies: { Permissions: this.permissions },
    });
    this.permissions.addStatements(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, 'functions', `${props.name}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: RUNTIME,
      // Graviton: about 20% cheaper per GB-second than x86 for the same work.
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      role: this.role,
      logGroup: this.logGroup,
      bundling: BUNDLING,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // Logs and metrics are labelled with the stack, so two deployments in one account stay apart.
        POWERTOOLS_SERVICE_NAME: Stack.of(this).stackName,
        CHAT_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
  }

  /** Tells the function which table to use and allows exactly these operations on it. */
  bindTable(table: ITable, actions: readonly TableAction[]): void {
    this.function.addEnvironment('CHAT_TABLE_NAME', table.tableName);
    this.permissions.addStatements(
      new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }),
    );
  }

  /** Tells the function where the session key is and allows reading it, and only it. */
  bindSessionKey(secret: ISecret, version: string): void {
    this.function.addEnvironment('CHAT_SESSION_KEY_SECRET_ARN', secret.secretArn);
    // A new value makes the function start fresh, so the next request reads the current key.
    this.function.addEnvironment('CHAT_SESSION_KEY_VERSION', version);
    this.permissions.addStatements(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
  }
}
