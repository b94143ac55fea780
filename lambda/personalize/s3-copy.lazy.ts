/**
 * The S3 copy behind imports from local files (DatasetImportSource.fromAsset). Bundled on its own
 * (assets/personalize/s3-copy.lazy.js) and loaded on first use: the S3 client is larger than the
 * rest of the handler, and no other Personalize resource needs it.
 */
import { CopyObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../core/client-config';

let s3: S3Client | undefined;

/** CopyObject from the CDK asset bucket into the stack's staging bucket, which Personalize may read. */
export async function copyObject(source: { bucket: string; key: string }, target: { bucket: string; key: string }): Promise<void> {
  s3 ??= new S3Client(clientConfig());
  await s3.send(new CopyObjectCommand({
    Bucket: target.bucket,
    Key: target.key,
    CopySource: `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`,
  }));
}
