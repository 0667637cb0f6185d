/**
 * One check of a background room: the newest read with `limit=1` gives the room's head (ids are
 * gap-free, so the head says how much is new); only when it moved past what the page has counted
 * is what is new read, once (`after=<known>&limit=200`), to count exactly the new messages from
 * others and those that mention the reader. More than 200 new: the rest is read at the next check.
 */
import { readMessages } from './api';
import type { RoomList } from './rooms';
import { tally, type LogEntry, type Reader, type Tally } from './unread';

export const CATCH_UP_LIMIT = 200;

export interface WatchContext {
  readonly rooms: RoomList;
  readonly reader: Reader;
  /** The room open now (it is counted by its own poll). */
  readonly openRoom: () => string | undefined;
  /** What came, for notifications. */
  readonly arrived: (room: string, tally: Tally<LogEntry>) => void;
  readonly signal: AbortSignal;
}

export async function checkRoom(name: string, ctx: WatchContext): Promise<void> {
  const before = ctx.rooms.get(name);
  if (!before) return;
  const head = (await readMessages(name, { newest: true }, 1, ctx.signal)).lastId;
  const known = ctx.rooms.get(name)?.knownId;
  if (known === undefined || ctx.openRoom() === name) return;
  if (known === null) return ctx.rooms.update(name, { knownId: head });
  if (head <= known) return;
  const page = await readMessages(name, { after: known }, CATCH_UP_LIMIT, ctx.signal);
  // Opened, left, or counted otherwise meanwhile: what was read is not for this record.
  const now = ctx.rooms.get(name);
  if (!now || now.knownId !== known || ctx.openRoom() === name) return;
  const counted = tally(page.messages as readonly LogEntry[], ctx.reader);
  ctx.rooms.update(name, {
    knownId: Math.max(known, page.lastId),
    unread: now.unread + counted.messages.length,
    mentions: now.mentions + counted.mentioning.length,
  });
  ctx.arrived(name, counted);
}
