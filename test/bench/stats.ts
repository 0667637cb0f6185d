/** Latency summaries and the plain-text tables the benchmark prints. */

export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles of a sample, in the sample's unit (ms here). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

export const round = (n: number, digits = 1): number => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

export function ms(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return n < 10 ? n.toFixed(1) : Math.round(n).toString();
}

/** `p50 / p95 / p99 / max` in ms. */
export const latencies = (s: Summary): string =>
  s.count === 0 ? '-' : `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} / ${ms(s.max)}`;

/** A table with a header row, columns padded to fit; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[], raw: readonly (string | number)[]) =>
    row
      .map((c, i) => (typeof raw[i] === 'number' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(cells[0]!, header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const [r, raw] of rows.entries()) out.push(line(cells[r + 1]!, raw));
  return out.join('\n');
}

/** Counts by key, e.g. errors by kind. */
export class Counter {
  private readonly counts = new Map<string, number>();
  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]));
  }
  toString(): string {
    const entries = Object.entries(this.toJSON());
    return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k}: ${n}`).join(', ');
  }
}
