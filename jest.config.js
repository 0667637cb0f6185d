const { readFileSync } = require('node:fs');

/** The import aliases of tsconfig.json (`#chat/*` → lib/chat/*), so that there is one list of them. */
function aliases() {
  const text = readFileSync(`${__dirname}/tsconfig.json`, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  const { paths } = JSON.parse(text).compilerOptions;
  return Object.fromEntries(
    Object.entries(paths).map(([alias, [target]]) => [
      `^${alias.replace('*', '(.*)')}$`,
      `<rootDir>/${target.replace('./', '').replace('*', '$1')}`,
    ]),
  );
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: aliases(),
  // One DynamoDB Local for the whole run; each test uses its own rooms and users.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 30000,
  maxWorkers: 2,
};
