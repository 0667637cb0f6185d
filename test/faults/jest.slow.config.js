// `npm run test:slow`: the fault and crash tests that take minutes, not seconds, so they stay
// out of `npm test`. Same setup as jest.config.js (one DynamoDB Local for the run).
const { join } = require('node:path');
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: join(__dirname, '..', '..'),
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.slow.ts'],
  testTimeout: 120000,
};
