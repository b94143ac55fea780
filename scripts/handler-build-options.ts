/**
 * How esbuild bundles each handler entry (lambda/index.ts and each lambda/*.lazy.ts), apart from
 * where it writes: used by scripts/bundle-handlers.ts, and by the tests of what the plugins do.
 */
import * as fs from 'fs';
import * as path from 'path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

const lambdaDir = path.join(__dirname, '..', 'lambda');

/**
 * The options of one entry's build. The modules it defers (see deferredModules) are built on their
 * own: their metafiles are pushed to `deferred`, so that what they contain can be added to the
 * entry's (withDeferredInputs).
 */
export function handlerBuildOptions(entryPoint: string, deferred: Metafile[] = []): BuildOptions {
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
    plugins: [lazyChunks, deferredModules(deferred), lazyBindings, treeShakableSchemas, withoutEventStreams],
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
 * The barrels of the SDK's packages (the `index.js` files under `dist-es` of `@smithy/*` and
 * `@aws-sdk/*`) bind some of their functions to a dependency when loaded: `export const v4 =
 * bindV4(getRandomValues)`, `export const retryMiddleware = bindRetryMiddleware(isStreamingPayload)`.
 * esbuild must keep a call it cannot prove pure, with all it reaches, even in a bundle that never
 * uses the function (the entry bundle imports three error classifiers from `@smithy/core/retry` and
 * got the retry middleware, a UUID generator and `crypto` with them); and binding reads the
 * dependency at load (`crypto.getRandomValues`, and the `crypto` global, which loads Web Crypto).
 * Rewritten, each is a function that binds on its first call (`export const v4 = (...args) =>
 * (v4$bound ??= bindV4(getRandomValues))(...args)`): the same function once called, and dropped
 * where unused.
 */
export const lazyBindings: Plugin = {
  name: 'lazy-bindings',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]@(smithy|aws-sdk)[\\/][^\\/]+[\\/]dist-es[\\/](.*[\\/])?index\.js$/ }, (args) => ({
      contents: withLazyBindings(fs.readFileSync(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

/**
 * Each top-level `export const x = bindX(...);` as a function that makes the binding on its first
 * call. An argument that is a top-level alias (`const _getRandomValues = getRandomValues;`) is
 * replaced by what it names, and the alias dropped when nothing else uses it, so that the import is
 * read at the first call too.
 */
export function withLazyBindings(source: string): string {
  const aliases = new Map<string, string>();
  for (const [, alias, target] of source.matchAll(/^const ([A-Za-z_$][\w$]*) = ([A-Za-z_$][\w$]*);$/gm)) aliases.set(alias, target);
  const used = new Set<string>();
  let rewritten = source.replace(/^export const ([A-Za-z_$][\w$]*) = (bind[A-Z][\w$]*)\(([^;\n]*)\);$/gm, (_, name: string, bind: string, args: string) => {
    const resolved = args.replace(/[A-Za-z_$][\w$]*/g, (id) => {
      const target = aliases.get(id);
      if (target !== undefined) used.add(id);
      return target ?? id;
    });
    return `let ${name}$bound;\nexport const ${name} = (...args) => (${name}$bound ??= ${bind}(${resolved}))(...args);`;
  });
  for (const alias of used) {
    const declaration = `const ${alias} = ${aliases.get(alias)};\n`;
    const rest = rewritten.replace(declaration, '');
    if (!new RegExp(`(^|[^\\w$])${alias.replace(/\$/g, '\\$')}([^\\w$]|$)`).test(rest)) rewritten = rest;
  }
  return rewritten;
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

/**
 * `import { x } from './sdk.deferred'` (a module of lambda/ whose name ends in `.deferred.ts`, such as
 * the SDK client and commands of a service): the module, with everything it imports, is bundled on
 * its own first, as ES modules are, so that tree shaking keeps only what it uses; the result goes
 * into the bundle as one module that runs when one of its exports is first read (its importers get a
 * module of getters). V8 still parses that code with the chunk (and compiles it when it first runs),
 * but none of its module initializers run until then: the SDK's classes, schemas, configuration and
 * the built-ins they import (https, crypto, stream, fs/promises...) are made when the first request
 * needs them, not when the chunk loads.
 */
export function deferredModules(metafiles: Metafile[]): Plugin {
  return {
    name: 'deferred-modules',
    setup(plugin) {
      const bundled = new Map<string, string>();
      plugin.onResolve({ filter: /\.deferred$/ }, (args) => ({ path: path.resolve(args.resolveDir, `${args.path}.ts`), namespace: 'deferred' }));
      plugin.onResolve({ filter: /^deferred-module:/ }, (args) => ({ path: args.path.substring('deferred-module:'.length), namespace: 'deferred-module' }));
      plugin.onLoad({ filter: /.*/, namespace: 'deferred' }, async (args) => {
        const { outputFiles, metafile, warnings } = await build({
          ...handlerBuildOptions(args.path),
          format: 'esm',
          // The whole bundle is minified: this module with it.
          minify: false,
          write: false,
          outfile: `${path.basename(args.path, '.ts')}.js`,
          metafile: true,
          logLevel: 'silent',
          plugins: [lazyChunks, lazyBindings, treeShakableSchemas, withoutEventStreams],
        });
        metafiles.push(metafile);
        bundled.set(args.path, outputFiles[0].text);
        const names = Object.values(metafile.outputs)[0].exports;
        return {
          contents: `let loaded;\nconst load = () => loaded ??= require(${JSON.stringify(`deferred-module:${args.path}`)});\n`
            + `for (const key of ${JSON.stringify(names)}) Object.defineProperty(exports, key, { enumerable: true, get: () => load()[key] });\n`,
          loader: 'js',
          warnings,
        };
      });
      plugin.onLoad({ filter: /.*/, namespace: 'deferred-module' }, (args) => ({ contents: bundled.get(args.path), loader: 'js' }));
    },
  };
}

/**
 * The metafile of a build with the inputs of the modules it deferred, as if it had bundled them
 * directly: what the third-party notices are made from (its output still counts a deferred module
 * as one input).
 */
export function withDeferredInputs(metafile: Metafile, deferred: readonly Metafile[]): Metafile {
  return { ...metafile, inputs: Object.assign({}, metafile.inputs, ...deferred.map((nested) => nested.inputs)) };
}
