/** Redeeming a device link (see device-links.ts): one conditional delete, so a code works once. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { storeCall } from '#aws/dynamo';
import { deviceLinkKey } from '#aws/table';
import { hashOf, type RedeemDeviceLink, type StoreOptions } from './device-link-item';

export function createDeviceLinkRedeemer(options: StoreOptions): RedeemDeviceLink {
  const { store, tableName, now = Date.now } = options;
  return async (code) => {
    try {
      const result = await storeCall('redeem device link', () =>
        store.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: deviceLinkKey(hashOf(code)), sk: 0 },
            ConditionExpression: 'attribute_exists(pk) AND expiresMs > :now',
            ExpressionAttributeValues: { ':now': now() },
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      const item = result.Attributes;
      return item ? { uid: String(item.uid), name: String(item.name) } : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  };
}
