/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`; cdk.json runs it). It builds the page
 * first, so a fresh clone deploys what `web/` holds without a separate build step.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { addChatStack } from '../lib/stack/chat-app';
import { PROJECT_ROOT } from '../lib/stack/chat-function';

type BuildScript = { buildWeb: (outdir: string) => Promise<void> };

async function main(): Promise<void> {
  const siteDir = join(PROJECT_ROOT, 'dist', 'site');
  const { buildWeb } = (await import(pathToFileURL(join(PROJECT_ROOT, 'scripts', 'build.mjs')).href)) as BuildScript;
  await buildWeb(siteDir);

  const app = new App();
  addChatStack(app, siteDir);
  app.synth();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
