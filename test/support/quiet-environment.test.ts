/**
 * The test environment's temporary directory: each test file writes its temporary files into a
 * directory of its own, which is removed when the file ends.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { DatasetGroup } from '../../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const QuietEnvironment = require('./quiet-environment');

test('this file\'s temporary directory is its own: an app without an outdir synthesizes into it', () => {
  expect(path.basename(os.tmpdir())).toMatch(/^cdk-datasets-test-/);
  // What a child process given this file's process.env (as {...process.env}) uses too.
  expect(process.env.TMPDIR).toBe(os.tmpdir());
  const app = new App();
  new DatasetGroup(new Stack(app, 'Temporary'), 'Group');
  const assembly = app.synth();
  expect(path.relative(os.tmpdir(), assembly.directory).startsWith('..')).toBe(false);
});

test('the environment sets TMPDIR for a file\'s time, removes what was written there, and puts TMPDIR back', async () => {
  // Loaded here, the environment sets this file's process.env (jest's copy), not the worker's.
  const mine = os.tmpdir();
  const before = process.env.TMPDIR;
  const environment = new QuietEnvironment(
    { projectConfig: { testEnvironmentOptions: {} }, globalConfig: {} },
    { console, docblockPragmas: {}, testPath: __filename },
  );
  await environment.setup();
  const theirs = process.env.TMPDIR!;
  expect(path.dirname(theirs)).toBe(mine);
  expect(path.basename(theirs)).toMatch(/^cdk-datasets-test-/);
  fs.mkdirSync(path.join(theirs, 'cdk.out1'));
  fs.writeFileSync(path.join(theirs, 'cdk.out1', 'template.json'), '{}');
  await environment.teardown();
  expect(fs.existsSync(theirs)).toBe(false);
  expect(process.env.TMPDIR).toBe(before);
});
