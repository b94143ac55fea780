/**
 * Bundles the custom-resource handlers (lambda/index.ts) into assets/handlers/index.js, with each
 * lambda/*.lazy.ts as a chunk beside it (personalize.lazy.js, agentcore.lazy.js, s3.lazy.js) that
 * index.js loads on first use: minified, with the AWS SDK clients they use (the Lambda runtime's
 * built-in SDK can lag behind new APIs such as AgentCore's CreateDataset). Within a chunk, the SDK
 * client and commands (its *.deferred.ts module) run on the first request (handler-build-options.ts).
 *
 * Then the `cdk-datasets` command (cli/bin.ts: plan, and rehearse with the emulator and driver of
 * rehearsal/) into assets/cli/cdk-datasets.js, the package's `bin`: one file that needs nothing the
 * package does not install, with the part of the Service Authorization Reference the emulator
 * authorizes calls with. aws-cdk-lib (a peer dependency) stays outside it; the command does not
 * load it.
 *
 * The licences of the third-party code all of them contain go to assets/THIRD-PARTY-LICENSES
 * (scripts/third-party-notices.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { build, Metafile, Plugin } from 'esbuild';
import { handlerBuildOptions, withDeferredInputs } from './handler-build-options';
import { BundleMetafile, writeThirdPartyNotices } from './third-party-notices';
import { dataDirectory, EMULATED_SERVICES } from '../rehearsal/iam/reference';

const root = path.join(__dirname, '..');
const lambdaDir = path.join(root, 'lambda');
/** The one asset directory of the stack's provider (src/private/provider.ts reads it). */
const outdir = path.join(root, 'assets', 'handlers');
/** The command's bundle: package.json's `bin` (from .projenrc.ts) names it. */
const cliFile = path.join(root, 'assets', 'cli', 'cdk-datasets.js');

async function main(): Promise<void> {
  const entries = ['index.ts', ...fs.readdirSync(lambdaDir).filter((f) => f.endsWith('.lazy.ts'))];
  // Built beside, then swapped in: a synthesis running meanwhile never finds the directory missing.
  const staging = `${outdir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  const metafiles = await Promise.all(entries.map((entry) => bundle(entry, path.join(staging, entry.replace(/\.ts$/, '.js')))));
  const previous = `${outdir}.${process.pid}.old`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, previous);
  fs.renameSync(staging, outdir);
  fs.rmSync(previous, { recursive: true, force: true });
  metafiles.push(await bundleCli());
  // Shipped beside the bundles; the metafiles are kept out of the package for test/release/.
  writeThirdPartyNotices(metafiles, {
    noticesFile: path.join(root, 'assets', 'THIRD-PARTY-LICENSES'),
    metafileDir: path.join(root, 'build', 'metafiles'),
  });
}

/**
 * `cdk-datasets:iam-reference`: the reference data of the services the emulator authorizes, as
 * rehearsal/iam/reference.ts reads it from the package. The JSON files are required by their paths
 * in the package, so that the metafile shows the package (and its licence ships).
 */
const iamReference: Plugin = {
  name: 'iam-reference',
  setup(plugin) {
    plugin.onResolve({ filter: /^cdk-datasets:iam-reference$/ }, () => ({ path: 'iam-reference', namespace: 'iam-reference' }));
    plugin.onLoad({ filter: /.*/, namespace: 'iam-reference' }, () => {
      const packageDir = path.dirname(dataDirectory());
      const file = (...parts: string[]) => JSON.stringify(path.join(packageDir, ...parts));
      const services = EMULATED_SERVICES.map((service) => {
        const types = path.join(packageDir, 'data', 'resourceTypes', `${service}.json`);
        return `${JSON.stringify(service)}: { actions: require(${file('data', 'actions', `${service}.json`)}), ` +
          `resourceTypes: ${fs.existsSync(types) ? `require(${JSON.stringify(types)})` : 'undefined'} }`;
      });
      return {
        contents: `module.exports = { version: require(${file('package.json')}).version, services: { ${services.join(', ')} } };`,
        loader: 'js',
        resolveDir: root,
      };
    });
  },
};

async function bundleCli(): Promise<BundleMetafile> {
  const staging = `${cliFile}.${process.pid}.tmp`;
  const { metafile } = await build({
    entryPoints: [path.join(root, 'cli', 'bin.ts')],
    outfile: staging,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    legalComments: 'none',
    // Loaded only by what the command does not do: reading CDK objects (the driver reads templates
    // itself here), and parsing the SDK's type declarations (the emulator's model check, off here).
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'typescript'],
    plugins: [iamReference],
    logLevel: 'error',
    metafile: true,
  });
  fs.chmodSync(staging, 0o755);
  fs.renameSync(staging, cliFile);
  const kb = (fs.statSync(cliFile).size / 1024).toFixed(1);
  console.log(`bundled cli/${path.basename(cliFile)}: ${kb} KiB`);
  return { name: `cli/${path.basename(cliFile)}`, metafile };
}

async function bundle(entry: string, outfile: string): Promise<BundleMetafile> {
  const deferred: Metafile[] = [];
  const { metafile } = await build({ ...handlerBuildOptions(path.join(lambdaDir, entry), deferred), outfile, logLevel: 'warning', metafile: true });
  const kb = (fs.statSync(outfile).size / 1024).toFixed(1);
  console.log(`bundled handlers/${path.basename(outfile)}: ${kb} KiB`);
  return { name: `handlers/${path.basename(outfile)}`, metafile: withDeferredInputs(metafile, deferred) };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
