/**
 * "Use this chat on another device": a one-time code that logs another device in as the same
 * person (uid and name), since a login is a name and nothing else. A code is 128 random bits,
 * lives 10 minutes, and works once: the store keeps only its hash, and redeeming it is one
 * conditional delete, so two devices racing with one code cannot both get in.
 */
import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { storeCall } from '#aws/dynamo';
import { deviceLinkKey } from '#aws/table';
import { type CreateDeviceLink, type DeviceLinks, hashOf, LINK_TTL_MS, type StoreOptions } from './device-link-item';
import { createDeviceLinkRedeemer } from './redeem-device-link';

export type { CreateDeviceLink, DeviceLinks, RedeemDeviceLink } from './device-link-item';

export function createDeviceLinkMaker(options: StoreOptions): CreateDeviceLink {
  const { store, tableName, now = Date.now } = options;
  return async (user) => {
    const code = randomBytes(16).toString('base64url');
    const expiresMs = now() + LINK_TTL_MS;
    await storeCall('create device link', () =>
      store.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: deviceLinkKey(hashOf(code)),
            sk: 0,
            uid: user.uid,
            name: user.name,
            expiresMs,
            // The table's TTL removes it a little later; until then expiresMs is what counts.
            expiresAt: Math.ceil(expiresMs / 1000),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return { code, expiresAt: new Date(expiresMs).toISOString() };
  };
}

/** Both halves, for a process that serves every route (the local server). */
export function createDeviceLinks(options: StoreOptions): DeviceLinks {
  return { create: createDeviceLinkMaker(options), redeem: createDeviceLinkRedeemer(options) };
}
