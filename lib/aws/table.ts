/**
 * The single table's layout, shared by the store code, the local server's table creation
 * and the CDK stack. Every item has a string partition key `pk` and a number sort key `sk`:
 *
 * | item                     | pk                              | sk         |
 * |--------------------------|---------------------------------|------------|
 * | message                  | `room#<room>`                   | message id |
 * | the room's live state    | `room#<room>`                   | 2^53 - 1 (above every id; presence/state-item.ts) |
 * | clientId of a send       | `client#<room>#<uid>#<clientId>`| 0          |
 * | send rate of a user      | `rate#<uid>`                    | 0          |
 * | login rate of an address | `login#<address>`               | 0          |
 * | a logged-out session     | `revoked`                       | when, in µs, plus a random tail |
 * | a one-time device link   | `link#<hash of the code>`       | 0          |
 *
 * `expiresAt` (epoch seconds) is the TTL attribute for what may expire.
 */
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
export const TTL_ATTRIBUTE = 'expiresAt';

export const roomKey = (room: string): string => `room#${room}`;
export const clientIdKey = (room: string, uid: string, clientId: string): string => `client#${room}#${uid}#${clientId}`;
export const rateKey = (uid: string): string => `rate#${uid}`;
export const loginRateKey = (address: string): string => `login#${address}`;
export const REVOKED_KEY = 'revoked';
export const deviceLinkKey = (codeHash: string): string => `link#${codeHash}`;
