/**
 * Where the server's CPU went, from a V8 .cpuprofile (node --cpu-prof): self time grouped by
 * area (AWS SDK, Node's HTTP, the chat's own code, GC, ...) and the top functions.
 */
import { readFileSync } from 'node:fs';
import { table } from './stats';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The area a function belongs to, from its script URL. */
function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') {
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(program)') return 'V8 / native (program)';
    return 'V8 / native';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) {
    if (pkg.startsWith('@smithy/') || pkg.startsWith('@aws-sdk/') || pkg.startsWith('@aws-crypto/'))
      return 'AWS SDK (DynamoDB client)';
    if (pkg.startsWith('@aws-lambda-powertools/')) return 'Powertools';
    return `npm: ${pkg}`;
  }
  if (url.includes('dist/local/start.js')) return 'chat handlers + local adapter';
  if (
    /node:(_http|http|internal\/http|internal\/streams\/|stream|internal\/js_stream)/.test(url) ||
    url.includes('_http_')
  )
    return 'Node HTTP + streams';
  if (/node:(net|internal\/net|internal\/stream_base|internal\/dns|dns)/.test(url)) return 'Node net';
  if (url.startsWith('node:')) return 'Node other';
  return url;
}

export function summarizeProfile(file: string, top = 12): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));

  const areas = new Map<string, number>();
  const functions = new Map<string, { us: number; area: string }>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const a = area(node);
    areas.set(a, (areas.get(a) ?? 0) + us);
    if (a === 'idle') continue;
    busy += us;
    const where = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
    const entry = functions.get(key) ?? { us: 0, area: a };
    entry.us += us;
    functions.set(key, entry);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1)}%`;
  const areaRows = [...areas]
    .filter(([a]) => a !== 'idle')
    .sort((x, y) => y[1] - x[1])
    .map(([a, us]) => [a, pct(us)]);
  const functionRows = [...functions]
    .sort((x, y) => y[1].us - x[1].us)
    .slice(0, top)
    .map(([name, { us, area: a }]) => [pct(us), a, name.length > 110 ? `${name.slice(0, 107)}...` : name]);
  return [
    `server CPU profile (${(busy / 1e6).toFixed(1)} s busy of ${((busy + (areas.get('idle') ?? 0)) / 1e6).toFixed(1)} s sampled), self time by area:`,
    table(['area', 'share of busy'], areaRows),
    '',
    `top ${top} functions by self time:`,
    table(['share', 'area', 'function'], functionRows),
  ].join('\n');
}
