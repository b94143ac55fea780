/**
 * The checks jest starts beside the test files (background-lint.js): when they start, and that a
 * check nothing read is stopped and leaves nothing behind.
 */
import * as fs from 'fs';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { globalSetup, globalTeardown, RESULT_VARIABLE } = require('./background-lint');

const root = path.join(__dirname, '..', '..');
const project = { rootDir: root, testPathIgnorePatterns: ['/node_modules/'] };
const allFiles = { isSet: () => false };
const only = (pattern: string) => ({ isSet: () => true, toExecutor: () => ({ isMatch: (file: string) => new RegExp(pattern).test(file) }) });

// This file's process.env is its own copy: what the setup sets here is not the workers' variable.
// In a whole run it holds that variable from the start (the run's own checks): set aside meanwhile.
const runs = process.env[RESULT_VARIABLE];
beforeEach(() => {
  delete process.env[RESULT_VARIABLE];
});
afterEach(async () => {
  await globalTeardown();
});
afterAll(() => {
  if (runs !== undefined) process.env[RESULT_VARIABLE] = runs;
});

test.each([
  ['path patterns that leave test/lint.test.ts out', { testPathPatterns: only('personalize') }, project],
  ['a test name pattern', { testPathPatterns: allFiles, testNamePattern: 'Dataset' }, project],
  ['a shard', { testPathPatterns: allFiles, shard: { shardIndex: 1, shardCount: 2 } }, project],
  ['changed files only', { testPathPatterns: allFiles, onlyChanged: true }, project],
  ['watch mode', { testPathPatterns: allFiles, watch: true }, project],
  ['an ignore pattern that covers it', { testPathPatterns: allFiles }, { ...project, testPathIgnorePatterns: ['lint\\.test'] }],
])('nothing starts for %s', async (_name, globalConfig, projectConfig) => {
  await globalSetup(globalConfig, projectConfig);
  expect(process.env[RESULT_VARIABLE]).toBeUndefined();
});

test('a whole run starts the checks; teardown stops a check nothing read and removes its directory', async () => {
  await globalSetup({ testPathPatterns: only('lint\\.test') }, project);
  const result = process.env[RESULT_VARIABLE]!;
  expect(path.basename(result)).toBe('result.json');
  expect(fs.existsSync(path.dirname(result))).toBe(true);
  await globalTeardown();
  expect(fs.existsSync(path.dirname(result))).toBe(false);
  expect(process.env[RESULT_VARIABLE]).toBeUndefined();
});
