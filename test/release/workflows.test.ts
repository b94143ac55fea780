/**
 * The GitHub workflows projen writes (.projenrc.ts) cannot run here, so they are checked here: each
 * file against GitHub's workflow schema with action-validator, and each for what the release
 * process relies on (the build's test step is `npm test`, every registry has its publish job,
 * secrets appear by name only).
 */
import * as fs from 'fs';
import * as path from 'path';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const root = path.join(__dirname, '..', '..');
const workflowDir = path.join(root, '.github', 'workflows');
const workflowFiles = fs.readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const workflow = (name: string) => parse(fs.readFileSync(path.join(workflowDir, name), 'utf8'));
const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')).tasks;

test('there are the build, release, upgrade and pull request title workflows', () => {
  expect(workflowFiles).toEqual(['build.yml', 'pull-request-lint.yml', 'release.yml', 'upgrade-main.yml']);
});

test.each(workflowFiles)('%s passes action-validator', (file) => {
  const { errors } = validateWorkflow(fs.readFileSync(path.join(workflowDir, file), 'utf8'));
  expect(errors).toEqual([]);
});

test('pull requests are built with the test step npm test runs', () => {
  const build = workflow('build.yml');
  expect(Object.keys(build.on)).toContain('pull_request');
  expect(build.jobs.build.steps.map((s: any) => s.run)).toContain('npx projen build');
  // `npx projen build` spawns the projen task `test`, which is what `npm test` runs.
  expect(tasks.build.steps).toContainEqual({ spawn: 'test' });
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  expect(manifest.scripts.test).toBe('projen test');
});

test('a release publishes to npm, PyPI, Maven Central, NuGet and the Go module repository', () => {
  const release = workflow('release.yml');
  expect(release.on.push.branches).toEqual(['main']);
  const publishers = Object.values<any>(release.jobs).flatMap((job) => job.steps ?? [])
    .map((step) => /publib-(\w+)/.exec(step.run ?? '')?.[1]).filter(Boolean).sort();
  expect(publishers).toEqual(['golang', 'maven', 'npm', 'nuget', 'pypi']);
});

test('dependencies are upgraded by pull request, and pull request titles are linted', () => {
  const upgrade = workflow('upgrade-main.yml');
  expect(upgrade.on.schedule).toBeDefined();
  expect(upgrade.jobs.upgrade.steps.map((s: any) => s.run)).toContain('npx projen upgrade');
  const lint = workflow('pull-request-lint.yml');
  expect(JSON.stringify(lint.jobs)).toContain('action-semantic-pull-request');
});

test.each(workflowFiles)('%s names its secrets and holds none', (file) => {
  const text = fs.readFileSync(path.join(workflowDir, file), 'utf8');
  // Every environment variable or input that carries a credential takes it from `secrets.NAME`.
  const credentials: Array<[string, unknown]> = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'permissions') continue; // `id-token: write` is a permission, not a credential
        if (/token|password|passphrase|private_key|api_key|secret/i.test(key) && typeof value !== 'object') credentials.push([key, value]);
        visit(value);
      }
    }
  };
  visit(parse(text));
  for (const [key, value] of credentials) {
    expect([key, value]).toEqual([key, expect.stringMatching(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/)]);
  }
  // And nothing that looks like a token itself (npm, GitHub, PyPI).
  expect(text).not.toMatch(/npm_[A-Za-z0-9]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|pypi-[A-Za-z0-9_-]{20,}/);
});

test('the secrets the workflows name are the ones the README lists for maintainers', () => {
  const names = new Set(workflowFiles.flatMap((file) =>
    [...fs.readFileSync(path.join(workflowDir, file), 'utf8').matchAll(/\$\{\{ secrets\.([A-Z_]+) \}\}/g)].map((m) => m[1])));
  expect([...names].sort()).toEqual([
    'GITHUB_TOKEN', 'GO_GITHUB_TOKEN',
    'MAVEN_GPG_PRIVATE_KEY', 'MAVEN_GPG_PRIVATE_KEY_PASSPHRASE', 'MAVEN_PASSWORD', 'MAVEN_STAGING_PROFILE_ID', 'MAVEN_USERNAME',
    'NPM_TOKEN', 'NUGET_API_KEY', 'PROJEN_GITHUB_TOKEN', 'TWINE_PASSWORD', 'TWINE_USERNAME',
  ]);
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const name of names) if (name !== 'GITHUB_TOKEN') expect(readme).toContain(name);
});
