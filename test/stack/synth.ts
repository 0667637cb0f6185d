/**
 * Builds the chat app the way `cdk synth` does (cdk.json's context and feature flags), for
 * the stack tests. Without `bundle`, esbuild and asset staging are skipped: the template is
 * the same, only the code archives are missing, and a synth takes a second or two.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addChatStack } from '#stack/chat-app';
import { PROJECT_ROOT } from '#stack/chat-function';
import type { ChatStack } from '#stack/chat-stack';

export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
).context;

export interface Synthesised {
  readonly app: App;
  readonly stack: ChatStack;
  readonly template: Template;
  /** The cloud assembly folder; remove it with `cleanup`. */
  readonly outdir: string;
  readonly cleanup: () => void;
}

export function synthChat(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): Synthesised {
  const outdir = mkdtempSync(join(tmpdir(), 'chat-cdk-'));
  const skipBundling = options.bundle ? {} : { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true };
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...skipBundling, ...context } });
  // The page's sources stand in for the built page (bin/chat.ts builds it): no test deploys it.
  const siteDir = join(PROJECT_ROOT, 'web');
  const cleanup = () => rmSync(outdir, { recursive: true, force: true });
  try {
    const stack = addChatStack(app, siteDir);
    const template = Template.fromStack(stack);
    return { app, stack, template, outdir, cleanup };
  } catch (error) {
    // A setting the synth refuses (config.test.ts) leaves nothing behind.
    cleanup();
    throw error;
  }
}

export type Resources = Record<
  string,
  {
    Type: string;
    Properties?: any;
    Metadata?: any;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
    DependsOn?: unknown;
  }
>;

export function resources(template: Template): Resources {
  return template.toJSON().Resources as Resources;
}

/** The logical ids of the resources of one type. */
export function idsOfType(template: Template, type: string): string[] {
  return Object.entries(resources(template))
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}
