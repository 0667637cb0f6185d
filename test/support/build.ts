/**
 * Runs scripts/build.mjs's builders (the ones `npm start` and the AWS stack use) into a place
 * of the caller's choosing. The script is an ES module with top-level await, so a separate
 * Node imports it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');

export async function runBuilder(builder: 'buildWeb' | 'buildLocalServer', destination: string): Promise<void> {
  const script = `const m = await import("./scripts/build.mjs"); await m[process.env.BUILDER](process.env.BUILD_OUT);`;
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, BUILDER: builder, BUILD_OUT: destination },
  });
}
