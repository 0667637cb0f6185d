/**
 * Which messages read as one run under one name: the same person, each within minutes of the
 * one before, on the same local day (a line for the day stands between two days, and a run
 * starts again after it).
 */
import { dayOf } from './day-separators';

/** The longest pause within a run. */
export const RUN_GAP_MS = 5 * 60_000;

export interface Said {
  readonly uid: string;
  /** ISO 8601 */
  readonly ts: string;
}

/** `next` follows `previous` in one run (so it shows no name of its own). */
export function continues(previous: Said | undefined, next: Said): boolean {
  if (!previous || previous.uid !== next.uid) return false;
  const gap = Date.parse(next.ts) - Date.parse(previous.ts);
  return gap >= 0 && gap <= RUN_GAP_MS && dayOf(previous.ts) === dayOf(next.ts);
}
