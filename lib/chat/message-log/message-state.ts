/**
 * A message as it is stored, and the rules of changing it: who may, what a change alters, and
 * how the message reads after it. Pure: the store code (change-actions.ts) writes what this
 * decides, on the condition that the message is still at the revision it was decided on.
 */
import type { Change, ChangeRefusal, ChangeResult, Message, Reaction } from './types';

/** Different emoji on one message at most. */
export const EMOJI_MAX = 20;
/** Reactors listed per emoji (the count is exact). */
export const UIDS_SHOWN = 20;

export interface MessageState {
  /** The message without its reactions. */
  readonly message: Omit<Message, 'reactions'>;
  /** 0 until its first change. */
  readonly rev: number;
  /** emoji → who reacted → the id of the update entry that added it (so also the order). */
  readonly reactions: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** The update entries that carry its text (a delete takes the text out of them too). */
  readonly entries: readonly number[];
}

/** How the message reads: reactions in the order of each emoji's first one, their people in order. */
export function viewOf(state: MessageState): Message {
  const reactions: Reaction[] = [...state.reactions]
    .map(([emoji, who]) => {
      const inOrder = [...who].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
      return {
        emoji,
        first: inOrder[0]?.[1] ?? 0,
        count: who.size,
        uids: inOrder.slice(0, UIDS_SHOWN).map(([u]) => u),
      };
    })
    .filter((r) => r.count > 0)
    .sort((a, b) => a.first - b.first || (a.emoji < b.emoji ? -1 : 1))
    .map(({ emoji, count, uids }) => ({ emoji, count, uids }));
  return { ...state.message, ...(reactions.length > 0 ? { reactions } : {}) };
}

export type Verdict = ChangeRefusal | 'same' | 'changes';

/** What `change`, asked by `uid`, would do to the message as it now is. */
export function judge(state: MessageState, uid: string, change: Change): Verdict {
  const m = state.message;
  if (change.kind === 'delete') {
    if (m.uid !== uid) return 'forbidden';
    return m.deleted ? 'same' : 'changes';
  }
  if (change.kind === 'edit' && m.uid !== uid) return 'forbidden';
  if (m.deleted) return 'message_deleted';
  if (change.kind === 'edit') return change.text === m.text ? 'same' : 'changes';
  const who = state.reactions.get(change.emoji);
  const mine = who?.has(uid) ?? false;
  if (mine === change.on) return 'same';
  if (change.on && !who?.size && state.reactions.size >= EMOJI_MAX) return 'reaction_limit';
  return 'changes';
}

/**
 * What a change asked by `uid` comes to on the message as it now is (undefined: the room has
 * no such message): an answer at once, or the state to write it on.
 */
export function decide(
  state: MessageState | undefined,
  uid: string,
  change: Change,
): ChangeResult | { readonly kind: 'write'; readonly state: MessageState } {
  if (!state) return { kind: 'refused', reason: 'not_found' };
  const verdict = judge(state, uid, change);
  if (verdict === 'changes') return { kind: 'write', state };
  return verdict === 'same' ? { kind: 'same', message: viewOf(state) } : { kind: 'refused', reason: verdict };
}

/** The message after `change`, written in update entry `entryId` at `ts` (only for a change `judge` allowed). */
export function afterChange(
  state: MessageState,
  change: Change,
  entryId: number,
  ts: string,
  uid: string,
): MessageState {
  const rev = state.rev + 1;
  if (change.kind === 'delete') {
    return {
      message: emptied({ ...state.message, rev }),
      rev,
      reactions: new Map(),
      entries: [],
    };
  }
  const entries = [...state.entries, entryId];
  if (change.kind === 'edit') {
    return {
      message: { ...state.message, text: change.text, rev, editedAt: ts },
      rev,
      reactions: state.reactions,
      entries,
    };
  }
  const reactions = new Map(state.reactions);
  const who = new Map(reactions.get(change.emoji));
  if (change.on) who.set(uid, entryId);
  else who.delete(uid);
  if (who.size > 0) reactions.set(change.emoji, who);
  else reactions.delete(change.emoji);
  return { message: { ...state.message, rev }, rev, reactions, entries };
}

/** A message as an earlier update entry shows it once the message is deleted: no text, no reactions. */
export function emptied(m: Message): Message {
  const { reactions: _reactions, ...rest } = m;
  return { ...rest, text: '', deleted: true };
}
