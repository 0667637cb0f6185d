/**
 * Where a page's main-thread time went, from a Chromium trace (Tracing through CDP): the self
 * time of each kind of event on the renderer's main thread, so that "Layout" counts only the
 * layout and not the script that forced it.
 */
import { table } from './stats';

interface TraceEvent {
  readonly ph: string;
  readonly name: string;
  readonly pid: number;
  readonly tid: number;
  /** µs */
  readonly ts: number;
  /** µs, complete events ('X') only */
  readonly dur?: number;
  readonly args?: { readonly name?: string };
}

/** Milliseconds of self time by event name on the renderer main threads, largest first. */
export function mainThreadSelfTime(trace: { readonly traceEvents: readonly TraceEvent[] }): [string, number][] {
  const events = trace.traceEvents;
  const main = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const spans = events
    .filter((e) => e.ph === 'X' && e.dur !== undefined && main.has(`${e.pid}:${e.tid}`))
    .map((e) => ({ key: `${e.pid}:${e.tid}`, name: e.name, start: e.ts, end: e.ts + (e.dur ?? 0) }))
    .sort((a, b) => a.key.localeCompare(b.key) || a.start - b.start || b.end - a.end);
  const self = new Map<string, number>();
  const stack: { key: string; name: string; end: number; own: number }[] = [];
  const close = () => {
    const done = stack.pop()!;
    self.set(done.name, (self.get(done.name) ?? 0) + Math.max(0, done.own));
  };
  for (const span of spans) {
    while (stack.length > 0 && (stack.at(-1)!.key !== span.key || stack.at(-1)!.end <= span.start)) close();
    const parent = stack.at(-1);
    if (parent) parent.own -= span.end - span.start;
    stack.push({ key: span.key, name: span.name, end: span.end, own: span.end - span.start });
  }
  while (stack.length > 0) close();
  return [...self]
    .map(([name, us]): [string, number] => [name, us / 1000])
    .filter(([, ms]) => ms >= 1)
    .sort((a, b) => b[1] - a[1]);
}

export function selfTimeTable(rows: readonly [string, number][], top = 15): string {
  return table(
    ['main-thread event (self time)', 'ms'],
    rows.slice(0, top).map(([name, ms]) => [name, Math.round(ms)]),
  );
}
