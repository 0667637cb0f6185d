/**
 * The stack's permission table (FUNCTION_NEEDS) against the code: each function is bundled
 * as for Lambda but with npm packages left as imports and nothing minified, so the code that
 * survives tree shaking can be read for the DynamoDB commands it sends and for the secret it
 * reads. A grant the code does not use, or a call the grant does not cover, fails here
 * instead of as AccessDenied in AWS.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import type { FunctionName } from '#http/routes';
import { PROJECT_ROOT } from '#stack/chat-function';
import { FUNCTION_NEEDS } from '#stack/chat-functions';

/** The IAM action each DynamoDB command needs; a transaction needs the actions of its items. */
const ACTION_OF_COMMAND: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  GetItem: 'GetItem',
  PutItem: 'PutItem',
  UpdateItem: 'UpdateItem',
  DeleteItem: 'DeleteItem',
};
const ACTION_OF_TRANSACTION_ITEM: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** The function's code after tree shaking, with package imports kept as `import { … } from '…'`. */
async function bundledCode(name: FunctionName): Promise<string> {
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'functions', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    treeShaking: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The DynamoDB actions the code performs. */
function tableActionsIn(code: string): string[] {
  const actions = new Set<string>();
  const imported = [...code.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/(?:lib|client)-dynamodb"/g)]
    .flatMap((m) => m[1]!.split(','))
    .map((s) => {
      const [original, local = original] = s.trim().split(/\s+as\s+/) as [string, string?];
      return { command: original, local };
    })
    .filter(({ command }) => command.endsWith('Command'));
  for (const { command, local } of imported) {
    if (!new RegExp(`new\\s+${local}\\s*\\(`).test(code)) continue;
    const kind = command.replace(/Command$/, '');
    if (kind === 'TransactWrite' || kind === 'TransactGet') {
      for (const m of code.matchAll(/\b(Put|Update|Delete|ConditionCheck|Get)\s*:\s*\{/g))
        actions.add(ACTION_OF_TRANSACTION_ITEM[m[1]!]!);
    } else {
      const action = ACTION_OF_COMMAND[kind];
      if (action === undefined) throw new Error(`${command} has no IAM action in this test's table; add it`);
      actions.add(action);
    }
  }
  return [...actions].sort();
}

describe('the permission table of the stack', () => {
  it.each(Object.keys(FUNCTION_NEEDS) as FunctionName[])(
    'grants %s exactly the store operations and key access its code uses',
    async (name) => {
      const code = await bundledCode(name);
      const readsSessionKey = /new\s+GetSecretValueCommand\s*\(/.test(code);
      expect({ table: tableActionsIn(code), sessionKey: readsSessionKey }).toEqual({
        table: [...FUNCTION_NEEDS[name].table].sort(),
        sessionKey: FUNCTION_NEEDS[name].sessionKey,
      });
    },
  );
});
