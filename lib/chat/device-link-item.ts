/** What both halves of a device link share: the code's hash (all the store keeps), its life, the types. */
import { createHash } from 'node:crypto';
import type { StoreClient } from '#aws/dynamo';

export const LINK_TTL_MS = 10 * 60_000;

export const hashOf = (code: string): string => createHash('sha256').update(code).digest('base64url');

/** A new code for this person, and when it stops working. */
export type CreateDeviceLink = (user: {
  readonly uid: string;
  readonly name: string;
}) => Promise<{ code: string; expiresAt: string }>;

/** The person a code was made for, once: undefined when it is unknown, used or expired. */
export type RedeemDeviceLink = (code: string) => Promise<{ uid: string; name: string } | undefined>;

export interface DeviceLinks {
  readonly create: CreateDeviceLink;
  readonly redeem: RedeemDeviceLink;
}

export interface StoreOptions {
  readonly store: StoreClient;
  readonly tableName: string;
  readonly now?: () => number;
}
