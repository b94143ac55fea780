/**
 * Bundles each service's custom-resource handlers (lambda/<service>/index.ts) into
 * assets/<service>/index.js: minified, with the AWS SDK clients they use (the Lambda runtime's
 * built-in SDK can lag behind new APIs such as AgentCore's CreateDataset). The licences of the
 * third-party code they contain go to assets/THIRD-PARTY-LICENSES (scripts/third-party-notices.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { BundleMetafile, writeThirdPartyNotices } from './third-party-notices';

const root = path.join(__dirname, '..');
const services = fs.readdirSync(path.join(root, 'lambda'))
  .filter((dir) => fs.existsSync(path.join(root, 'lambda', dir, 'index.ts')));
const metafiles: BundleMetafile[] = [];

for (const service of services) {
  const outdir = path.join(root, 'assets', service);
  // Built beside, then swapped in: a synthesis running meanwhile never finds the directory missing.
  const staging = `${outdir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  // Files named *.lazy.ts are bundled on their own and loaded on first use (`require('./x.lazy')`),
  // so that what only some requests need does not weigh on every cold start.
  const lazy = fs.readdirSync(path.join(root, 'lambda', service)).filter((f) => f.endsWith('.lazy.ts'));
  for (const entry of ['index.ts', ...lazy]) bundle(service, entry, path.join(staging, entry.replace(/\.ts$/, '.js')));
  const previous = `${outdir}.${process.pid}.old`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, previous);
  fs.renameSync(staging, outdir);
  fs.rmSync(previous, { recursive: true, force: true });
}
// Shipped beside the bundles; the metafiles are kept out of the package for test/release/.
writeThirdPartyNotices(metafiles, {
  noticesFile: path.join(root, 'assets', 'THIRD-PARTY-LICENSES'),
  metafileDir: path.join(root, 'build', 'metafiles'),
});

function bundle(service: string, entry: string, outfile: string) {
  const { metafile } = buildSync({
    entryPoints: [path.join(root, 'lambda', service, entry)],
    outfile,
    external: ['./*.lazy'],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // ES module builds of the SDK tree-shake better than its CommonJS builds.
    mainFields: ['module', 'main'],
    legalComments: 'none',
    // Lambda provides credentials in the environment: leave the rest of the default chain out.
    alias: { '@aws-sdk/credential-provider-node': path.join(root, 'lambda', 'core', 'lambda-credentials.ts') },
    logLevel: 'warning',
    metafile: true,
  });
  metafiles.push({ name: `${service}/${path.basename(outfile)}`, metafile: metafile! });
  const kb = (fs.statSync(outfile).size / 1024).toFixed(1);
  console.log(`bundled ${service}/${path.basename(outfile)}: ${kb} KiB`);
}
