/**
 * The days of a room, on clocks given by the test: in the time zone the tests run in (local
 * constructors throughout), so the figures hold in any zone.
 */
import { dayLabel, dayOf, msUntilNextDay } from '#web/day-separators';
import { continues, RUN_GAP_MS } from '#web/grouping';

const WORDS = { today: 'Today', yesterday: 'Yesterday' };
const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min);

describe('dayOf', () => {
  it('names the local day of a time, whatever the hour', () => {
    expect(dayOf(at(2026, 12, 1, 0, 0))).toBe('2026-12-01');
    expect(dayOf(at(2026, 12, 1, 23, 59).toISOString())).toBe('2026-12-01');
    expect(dayOf(at(2026, 1, 9))).toBe('2026-01-09');
  });

  it('gives no day for a time that is not one', () => {
    expect(dayOf('not a time')).toBe('');
  });
});

describe('dayLabel', () => {
  const now = at(2026, 12, 2, 9, 30);

  it('says Today and Yesterday, by the calendar, not by 24 hours', () => {
    expect(dayLabel('2026-12-02', now, 'en', WORDS)).toBe('Today');
    expect(dayLabel('2026-12-01', now, 'en', WORDS)).toBe('Yesterday');
    // Just after midnight, a message of 23:59 is from yesterday.
    expect(dayLabel(dayOf(at(2026, 12, 1, 23, 59)), at(2026, 12, 2, 0, 1), 'en', WORDS)).toBe('Yesterday');
    expect(dayLabel('2026-12-01', at(2026, 12, 3, 0, 1), 'en', WORDS)).not.toBe('Yesterday');
  });

  it('knows yesterday across a month and a year', () => {
    expect(dayLabel('2026-11-30', at(2026, 12, 1), 'en', WORDS)).toBe('Yesterday');
    expect(dayLabel('2025-12-31', at(2026, 1, 1), 'en', WORDS)).toBe('Yesterday');
  });

  it('gives older days as dates in the reader’s locale, with the year only when it is not this one', () => {
    expect(dayLabel('2026-11-30', now, 'en', WORDS)).toBe('Monday, November 30');
    expect(dayLabel('2026-11-30', now, 'zh-CN', WORDS)).toBe('11月30日星期一');
    expect(dayLabel('2025-11-30', now, 'en', WORDS)).toBe('Sunday, November 30, 2025');
    expect(dayLabel('2025-11-30', now, 'zh-CN', WORDS)).toBe('2025年11月30日星期日');
  });

  it('says a later day (a clock behind the server’s) as its date', () => {
    expect(dayLabel('2026-12-03', now, 'en', WORDS)).toBe('Thursday, December 3');
  });
});

describe('msUntilNextDay', () => {
  it('counts to the next local midnight', () => {
    expect(msUntilNextDay(at(2026, 12, 1, 23, 59))).toBe(60_000);
    expect(msUntilNextDay(at(2026, 12, 1, 0, 0))).toBe(
      at(2026, 12, 2, 0, 0).getTime() - at(2026, 12, 1, 0, 0).getTime(),
    );
  });
});

describe('continues (runs of messages)', () => {
  const said = (uid: string, time: Date) => ({ uid, ts: time.toISOString() });

  it('keeps one person’s messages within 5 minutes in one run', () => {
    expect(continues(said('u_a', at(2026, 12, 1, 10, 0)), said('u_a', at(2026, 12, 1, 10, 4)))).toBe(true);
    expect(continues(said('u_a', at(2026, 12, 1, 10, 0)), said('u_b', at(2026, 12, 1, 10, 1)))).toBe(false);
    const late = new Date(at(2026, 12, 1, 10, 0).getTime() + RUN_GAP_MS + 1);
    expect(continues(said('u_a', at(2026, 12, 1, 10, 0)), said('u_a', late))).toBe(false);
  });

  it('starts a run again after midnight, where a day’s line stands between them', () => {
    expect(continues(said('u_a', at(2026, 12, 1, 23, 58)), said('u_a', at(2026, 12, 2, 0, 1)))).toBe(false);
  });
});
