/**
 * The yardstick for cold starts: a handler that only imports the DynamoDB client and runs
 * one query. A chat handler's module initialisation is reported as a ratio to this one.
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async (): Promise<{ statusCode: number; body: string }> => {
  const result = await client.send(
    new QueryCommand({
      TableName: process.env.CHAT_TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'room#lobby' } },
      Limit: 1,
    }),
  );
  return { statusCode: 200, body: String(result.Count ?? 0) };
};
