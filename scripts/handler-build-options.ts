/**
 * How esbuild bundles each handler entry (lambda/index.ts and each lambda/*.lazy.ts), apart from
 * where it writes: used by scripts/bundle-handlers.ts, and by the tests of what the plugins do.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { BuildOptions, Plugin } from 'esbuild';

const lambdaDir = path.join(__dirname, '..', 'lambda');

export function handlerBuildOptions(entryPoint: string): BuildOptions {
  return {
    entryPoints: [entryPoint],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // ES module builds of the SDK tree-shake better than its CommonJS builds.
    mainFields: ['module', 'main'],
    legalComments: 'none',
    // Lambda provides credentials in the environment: leave the rest of the default chain out.
    alias: { '@aws-sdk/credential-provider-node': path.join(lambdaDir, 'core', 'lambda-credentials.ts') },
    plugins: [lazyChunks, treeShakableSchemas, withoutEventStreams],
  };
}

/**
 * `require('./x.lazy')` or `require('../x.lazy')` anywhere in lambda/ stays a require of the chunk
 * beside the bundle, so that what only some requests need does not weigh on every cold start.
 */
export const lazyChunks: Plugin = {
  name: 'lazy-chunks',
  setup(plugin) {
    plugin.onResolve({ filter: /\.lazy$/ }, (args) => ({ path: `./${path.basename(args.path)}`, external: true }));
  },
};

/**
 * The SDK clients' schemas (`dist-es/schemas/schemas_0.js` of each `@aws-sdk/client-<name>`: one
 * array per shape and operation of the whole service) key their HTTP and error traits with computed
 * names of the file's string constants (`{ [_hQ]: _dV }`). esbuild cannot prove a computed key free
 * of side effects, so it keeps every schema that has one: all 100 KiB of AgentCore's and 64 KiB of
 * S3's schemas, where the handlers reach a few operations. Written as the literal the constant holds
 * (`{ "httpQuery": _dV }`), each key is the same, and tree shaking drops the schemas no command of
 * the bundle uses.
 */
export const treeShakableSchemas: Plugin = {
  name: 'tree-shakable-schemas',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, (args) => ({
      contents: withLiteralSchemaKeys(fs.readFileSync(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

/** `{ [_x]: v }` as `{ "...": v }` where `_x` is a top-level `const _x = "...";` of the same file. */
export function withLiteralSchemaKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(/^const ([A-Za-z_$][\w$]*) = ("[^"\\\n]*");$/gm)) constants.set(name, literal);
  return source.replace(/\[([A-Za-z_$][\w$]*)\]:/g, (key, name: string) => constants.get(name)?.concat(':') ?? key);
}

/**
 * The SDK's protocols load event-stream support with `await import('@smithy/core/event-streams')`
 * when an operation streams events, which no operation of the handlers does. Bundled, that import
 * takes 20 KiB of code and zlib into each chunk, and makes esbuild wrap it and every module it
 * shares with the rest (most of @smithy/core) in a lazy initializer, which V8 compiles eagerly.
 * In its place: a module whose import fails with an error that names what is missing.
 */
export const withoutEventStreams: Plugin = {
  name: 'without-event-streams',
  setup(plugin) {
    plugin.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'without-event-streams' } : undefined);
    plugin.onLoad({ filter: /.*/, namespace: 'without-event-streams' }, () => ({
      contents: `throw new Error(${JSON.stringify(EVENT_STREAMS_LEFT_OUT)});`,
      loader: 'js',
    }));
  },
};

/** What an operation that streams events fails with in the handler bundles. */
export const EVENT_STREAMS_LEFT_OUT = 'cdk-datasets handler bundles leave out @smithy/core/event-streams: no operation they call streams events';
