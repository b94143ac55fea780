/**
 * Bundles the custom-resource handlers (lambda/index.ts) into assets/handlers/index.js, with each
 * lambda/*.lazy.ts as a chunk beside it (personalize.lazy.js, agentcore.lazy.js, s3.lazy.js) that
 * index.js loads on first use: minified, with the AWS SDK clients they use (the Lambda runtime's
 * built-in SDK can lag behind new APIs such as AgentCore's CreateDataset).
 */
import * as fs from 'fs';
import * as path from 'path';
import { build, Plugin } from 'esbuild';

const root = path.join(__dirname, '..');
const lambdaDir = path.join(root, 'lambda');
/** The one asset directory of the stack's provider (src/private/provider.ts reads it). */
const outdir = path.join(root, 'assets', 'handlers');

async function main(): Promise<void> {
  const entries = ['index.ts', ...fs.readdirSync(lambdaDir).filter((f) => f.endsWith('.lazy.ts'))];
  // Built beside, then swapped in: a synthesis running meanwhile never finds the directory missing.
  const staging = `${outdir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  await Promise.all(entries.map((entry) => bundle(entry, path.join(staging, entry.replace(/\.ts$/, '.js')))));
  const previous = `${outdir}.${process.pid}.old`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, previous);
  fs.renameSync(staging, outdir);
  fs.rmSync(previous, { recursive: true, force: true });
}

/**
 * `require('./x.lazy')` or `require('../x.lazy')` anywhere in lambda/ stays a require of the chunk
 * beside the bundle, so that what only some requests need does not weigh on every cold start.
 */
const lazyChunks: Plugin = {
  name: 'lazy-chunks',
  setup(build) {
    build.onResolve({ filter: /\.lazy$/ }, (args) => ({ path: `./${path.basename(args.path)}`, external: true }));
  },
};

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [path.join(lambdaDir, entry)],
    outfile,
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
    plugins: [lazyChunks],
    logLevel: 'warning',
  });
  const kb = (fs.statSync(outfile).size / 1024).toFixed(1);
  console.log(`bundled handlers/${path.basename(outfile)}: ${kb} KiB`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
