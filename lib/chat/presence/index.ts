/**
 * The room's live state (who is here, who is typing): kept in memory by the sole writer of a
 * store, or in the room's state item in the store. Either way a change is at most one store
 * write, and polls read the state with the messages (the message log's query, or memory).
 */
import type { PresenceChange } from './room-state';

export type { PresenceChange, PresenceEntry, PresentPerson, RoomState } from './room-state';
export { MemoryPresence } from './memory-presence';
export { StoredPresence } from './stored-presence';

export interface Presence {
  /** Records what the user said of themselves in the room (or that they sent a message there). */
  change(room: string, user: { readonly uid: string; readonly name: string }, change: PresenceChange): Promise<void>;
}
