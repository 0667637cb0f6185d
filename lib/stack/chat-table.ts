/** The one DynamoDB table: the message log, the clientIds of sends, and the send limit. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '#aws/table';

export interface ChatTableProps {
  readonly removalPolicy: RemovalPolicy;
}

export class ChatTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ChatTableProps) {
    super(scope, id);
    // The key layout is the one the store code uses (lib/aws/table.ts); no table
    // name, so a second deployment cannot collide with the first.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: AttributeType.NUMBER },
      // Chat traffic comes in bursts and is often idle: pay per request, no capacity to plan.
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // A KMS key of the account (aws/dynamodb): encrypted at rest and every use in CloudTrail.
      encryption: TableEncryption.AWS_MANAGED,
      // Send-limit items set it; messages do not expire (see the stack's messageRetentionDays).
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: props.removalPolicy,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
    });
  }
}
