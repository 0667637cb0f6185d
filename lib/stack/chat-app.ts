/** The CDK app's contents, shared by `bin/chat.ts` (cdk synth / deploy) and the tests. */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChatStack } from './chat-stack';
import { readConfig } from './config';

/** Adds the chat stack (named `Chat-<stage>`) and the cdk-nag AWS Solutions checks, which fail the synth on any unacknowledged finding. */
export function addChatStack(app: App, siteDir: string): ChatStack {
  const config = readConfig(app.node);
  const stack = new ChatStack(app, `Chat-${config.stage}`, { config, siteDir });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
