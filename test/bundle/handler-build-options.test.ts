/**
 * What scripts/handler-build-options.ts does to the handler bundles for their cold start: the SDK
 * clients' schemas rewritten so that tree shaking drops the unused ones (and the rewrite changes no
 * value), event-stream support left out with an error that says so, the SDK barrels' bindings made on
 * first call, and deferred modules that run when first used. The last tests read the bundles in
 * assets/handlers (the bundle step writes them before the tests).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { build, type Metafile } from 'esbuild';
import {
  EVENT_STREAMS_LEFT_OUT, handlerBuildOptions, withDeferredInputs, withLazyBindings, withLiteralSchemaKeys,
} from '../../scripts/handler-build-options';

const root = path.join(__dirname, '..', '..');
const handlers = path.join(root, 'assets', 'handlers');
const schemasOf = (client: string) => path.join(root, 'node_modules', '@aws-sdk', client, 'dist-es', 'schemas', 'schemas_0.js');

/** Bundles `source` (a module in `dir`, the repository's root by default) as the handlers are bundled, unminified. */
async function bundle(source: string, { plugins = true, dir = root, deferred = [] as Metafile[] } = {}) {
  const options = handlerBuildOptions('stdin.js', deferred);
  return build({
    ...options,
    entryPoints: undefined,
    stdin: { contents: source, resolveDir: dir, loader: 'js' },
    plugins: plugins ? options.plugins : [],
    minify: false,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
}

/** Bundles `source` as bundle() does, and loads it. */
async function load(source: string, plugins?: boolean): Promise<any> {
  const { outputFiles } = await bundle(source, { plugins: plugins !== false });
  return run(outputFiles[0].text);
}

function run(code: string): any {
  const module = { exports: {} as any };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return module.exports;
}

/** Deep equality of two schema graphs: `() => X$` references are followed, error classes compared by name. */
function sameSchema(a: unknown, b: unknown, seen = new Set<unknown>()): boolean {
  if (typeof a === 'function' && typeof b === 'function') {
    if (/^class /.test(a.toString())) return a.name === b.name;
    if (seen.has(a)) return true;
    seen.add(a);
    return sameSchema(a(), b(), seen);
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameSchema(x, b[i], seen));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (a.constructor !== Object || b.constructor !== Object) return a.constructor.name === b.constructor.name;
    const keys = Object.keys(a);
    return sameSchema(keys, Object.keys(b), seen) && keys.every((k) => sameSchema((a as any)[k], (b as any)[k], seen));
  }
  return Object.is(a, b);
}

describe('the SDK schemas with literal trait keys', () => {
  test('rewrites computed keys of string constants only', () => {
    const source = 'const _hQ = "httpQuery";\nconst n0 = "com.example";\nexport var A$ = [3, n0, { [_hQ]: 1, [other]: 2 }];\n';
    expect(withLiteralSchemaKeys(source)).toBe('const _hQ = "httpQuery";\nconst n0 = "com.example";\nexport var A$ = [3, n0, { "httpQuery": 1, [other]: 2 }];\n');
  });

  test.each(['client-bedrock-agentcore-control', 'client-s3', 'client-personalize'])('%s: every schema is the same value', async (client) => {
    const entry = `export * from ${JSON.stringify(schemasOf(client))};`;
    const [original, rewritten] = await Promise.all([load(entry, false), load(entry)]);
    const names = Object.keys(original).filter((name) => name.endsWith('$'));
    expect(names.length).toBeGreaterThan(100);
    expect(Object.keys(rewritten)).toEqual(Object.keys(original));
    for (const name of names) expect([name, sameSchema(rewritten[name], original[name])]).toEqual([name, true]);
    // and the rewrite left no computed key behind
    expect(withLiteralSchemaKeys(fs.readFileSync(schemasOf(client), 'utf8'))).not.toMatch(/\[_\w+\]:/);
  }, 60_000);
});

test('an operation that streams events fails with a message that names what the bundles leave out', async () => {
  const bundled = await load("export const eventStreams = () => import('@smithy/core/event-streams');");
  await expect(bundled.eventStreams()).rejects.toThrow(EVENT_STREAMS_LEFT_OUT);
});

describe('the SDK barrels\' bindings, made on first call', () => {
  test('a binding becomes a function that binds once, and an alias only it takes is replaced by what it names', () => {
    const source = 'import { getRandomValues } from "node:crypto";\nconst _getRandomValues = getRandomValues;\nexport const v4 = bindV4(_getRandomValues);\n';
    expect(withLazyBindings(source)).toBe('import { getRandomValues } from "node:crypto";\n'
      + 'let v4$bound;\nexport const v4 = (...args) => (v4$bound ??= bindV4(getRandomValues))(...args);\n');
  });

  test('an alias something else uses stays, and other statements are left as they are', () => {
    const source = 'const _a = a;\nexport const f = bindF(_a);\nexport const g = makeG(_a);\n';
    expect(withLazyBindings(source)).toBe('const _a = a;\nlet f$bound;\nexport const f = (...args) => (f$bound ??= bindF(a))(...args);\nexport const g = makeG(_a);\n');
  });

  test('the installed SDK\'s barrels still bind this way (or the rewrite would silently do nothing)', () => {
    const barrel = path.join(root, 'node_modules', '@smithy', 'core', 'dist-es', 'submodules', 'retry', 'index.js');
    expect(withLazyBindings(fs.readFileSync(barrel, 'utf8'))).toContain('export const retryMiddleware = (...args) => (retryMiddleware$bound ??=');
  });

  test.each(['@smithy/core/retry', '@smithy/core/serde', '@smithy/core/endpoints', '@aws-sdk/core/httpAuthSchemes'])('%s: the same exports, of the same types', async (barrel) => {
    const entry = `export * from ${JSON.stringify(barrel)};`;
    const [original, rewritten] = await Promise.all([load(entry, false), load(entry)]);
    const names = Object.keys(original).sort();
    expect(Object.keys(rewritten).sort()).toEqual(names);
    expect(names.map((name) => [name, typeof rewritten[name]])).toEqual(names.map((name) => [name, typeof original[name]]));
  }, 60_000);

  test('a function bound on first call works as before: v4 makes version 4 UUIDs', async () => {
    const { v4 } = await load('export { v4 } from "@smithy/core/serde";');
    expect(v4()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(v4()).not.toBe(v4());
  });

  test('an import of three error classifiers from @smithy/core/retry takes neither the retry middleware nor crypto along', async () => {
    const { outputFiles } = await bundle('export { isThrottlingError, isServerError, isTransientError } from "@smithy/core/retry";');
    expect(outputFiles[0].text).not.toMatch(/retryMiddleware|crypto/);
  });
});

describe('deferred modules', () => {
  let dir: string;
  beforeAll(() => {
    // In the repository (build/ is not committed), where the SDK packages resolve.
    fs.mkdirSync(path.join(root, 'build'), { recursive: true });
    dir = fs.mkdtempSync(path.join(root, 'build', 'deferred-test-'));
    fs.writeFileSync(path.join(dir, 'counted.ts'), 'export const loads: string[] = ((globalThis as any).deferredLoads ??= []);\n');
    fs.writeFileSync(path.join(dir, 'service.deferred.ts'), [
      "import { loads } from './counted';",
      "loads.push('service');",
      'export class Client { constructor(readonly name: string) {} }',
      'export function newClient(name: string) { return new Client(name); }',
      'export let calls = 0;',
      'export function call() { calls++; }',
      "export { isThrottlingError } from '@smithy/core/retry';",
    ].join('\n'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => delete (globalThis as any).deferredLoads);

  // Read where they are used, as the adapters read the SDK's commands: a read at load would run the module.
  const entry = "import { Client, newClient, call, calls } from './service.deferred';\n"
    + 'export const api = { Client: () => Client, newClient: (name) => newClient(name), call: () => call(), calls: () => calls };\n';

  test('run when one of their exports is first read, not when the bundle loads', async () => {
    const { outputFiles } = await bundle(entry, { dir });
    const { api } = run(outputFiles[0].text);
    expect((globalThis as any).deferredLoads).toBeUndefined();
    expect(api.newClient('a')).toBeInstanceOf(api.Client());
    expect((globalThis as any).deferredLoads).toEqual(['service']);
    api.newClient('b');
    expect((globalThis as any).deferredLoads).toEqual(['service']);
  });

  test('their importers see their exports: classes, functions and live values', async () => {
    const { outputFiles } = await bundle(entry, { dir });
    const { api } = run(outputFiles[0].text);
    expect(new (api.Client())('c').name).toBe('c');
    expect(api.calls()).toBe(0);
    api.call();
    api.call();
    expect(api.calls()).toBe(2);
  });

  test('are tree-shaken: only what they export and use is bundled', async () => {
    const { outputFiles } = await bundle(entry, { dir });
    expect(outputFiles[0].text).toContain('isThrottlingError');
    expect(outputFiles[0].text).not.toContain('retryMiddleware');
  });

  test('what they contain is listed among the inputs of the bundle\'s metafile', async () => {
    const deferred: Metafile[] = [];
    const { metafile } = await bundle(entry, { dir, deferred });
    expect(deferred).toHaveLength(1);
    const inputs = Object.keys(withDeferredInputs(metafile!, deferred).inputs);
    expect(inputs.some((input) => input.endsWith('counted.ts'))).toBe(true);
    expect(inputs.some((input) => /node_modules[\\/]@smithy[\\/]core[\\/]/.test(input))).toBe(true);
  });
});

describe('the handler chunks', () => {
  const chunk = (name: string) => fs.readFileSync(path.join(handlers, `${name}.lazy.js`), 'utf8');

  test('hold the schemas of the operations they call and not the rest of the service', () => {
    const agentcore = chunk('agentcore');
    expect(agentcore).toContain('"CreateDataset"');
    expect(agentcore).not.toContain('"CreateAgentRuntime"');
    const s3 = chunk('s3');
    expect(s3).toContain('"CopyObject"');
    expect(s3).not.toContain('"PutBucketLifecycleConfiguration"');
  });

  test.each(['personalize', 'agentcore', 's3'])('%s leaves event-stream support out', (name) => {
    expect(chunk(name)).toContain(EVENT_STREAMS_LEFT_OUT);
  });

  /** The Node.js built-ins loaded by a fresh process that requires `files` (no built-in named in the script: see below). */
  const builtinsLoadedWith = (...files: string[]) => {
    // `node -e` loads a built-in whose name the script's text holds: the files are arguments.
    const script = 'for (const file of process.argv.slice(1)) require(file); console.log(JSON.stringify(process.moduleLoadList));';
    const loaded: string[] = JSON.parse(execFileSync(process.execPath, ['-e', script, ...files], { encoding: 'utf8', env: { PATH: process.env.PATH } }));
    return loaded.filter((m) => m.startsWith('NativeModule ')).map((m) => m.substring('NativeModule '.length));
  };

  test.each(['personalize', 'agentcore', 's3'])('%s loads with the entry bundle and no Node.js built-in that a bare node has not loaded', (name) => {
    const bare = new Set(builtinsLoadedWith());
    const loaded = builtinsLoadedWith(path.join(handlers, 'index.js'), path.join(handlers, `${name}.lazy.js`));
    // async_hooks (the invocation budget's AsyncLocalStorage, made at load) is one a bare Node.js 20 has loaded already.
    const added = loaded.filter((m) => !bare.has(m) && !m.startsWith('internal/') && m !== 'async_hooks');
    expect(added).toEqual([]);
  });
});
