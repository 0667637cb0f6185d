/**
 * The days of a room: which local day (the reader's time zone) a message belongs to, and what
 * the line between two days says: "Today", "Yesterday", else the date in the reader's locale.
 * `now` is always passed in, so that the page's clock (and a test's) decides what today is.
 */

/** A local day as YYYY-MM-DD ('' for a time that is not one). */
export type Day = string;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function dayOf(time: string | Date): Day {
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) return '';
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Midnight at the start of `day`, local time. */
function startOf(day: Day): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d!);
}

export interface DayWords {
  readonly today: string;
  readonly yesterday: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(locale: string, withYear: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withYear}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      weekday: 'long',
      month: 'long',
      day: 'numeric',
      ...(withYear ? { year: 'numeric' } : {}),
    });
    formats.set(key, f);
  }
  return f;
}

/** What the line above the first message of `day` says, seen `now`. */
export function dayLabel(day: Day, now: Date, locale: string, words: DayWords): string {
  if (day === dayOf(now)) return words.today;
  // The calendar day before, not 24 hours before: a day may have 23 or 25 hours.
  if (day === dayOf(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1))) return words.yesterday;
  const date = startOf(day);
  if (Number.isNaN(date.getTime())) return day;
  return format(locale, date.getFullYear() !== now.getFullYear()).format(date);
}

/** How long until the next local midnight, when "Today" becomes "Yesterday". */
export function msUntilNextDay(now: Date): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime() - now.getTime();
}
