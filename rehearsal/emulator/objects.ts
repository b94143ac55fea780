/**
 * The emulator's one object store: what the S3 service serves and what AgentCore's `s3Source`
 * reads. Buckets exist once an object is seeded or put in them (there is no CreateBucket); a key
 * that was never put, or was deleted, is missing.
 */
import { createHash } from 'crypto';

/** An object as the inspection API shows it. */
export interface ObjectInfo {
  /** `s3://<bucket>/<key>`. */
  readonly uri: string;
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
  /** The body as UTF-8 text. */
  readonly text: string;
  readonly size: number;
  /** The quoted MD5 hex of the body, as S3 shows single-part uploads. */
  readonly etag: string;
  readonly contentType: string;
  /** Epoch milliseconds. */
  readonly lastModified: number;
  /** User metadata (x-amz-meta-*), lower-case keys. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The CRC32 checksum (base64) the uploader sent, if any. */
  readonly checksumCrc32?: string;
}

export interface PutOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly checksumCrc32?: string;
}

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** `s3://bucket/key` > [bucket, key]; undefined when it is not an object uri. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

export class ObjectStore {
  private readonly buckets = new Map<string, Map<string, ObjectInfo>>();

  /** `seed`: s3 uri > text, put back by every reset(). */
  constructor(private readonly seed: Readonly<Record<string, string>> = {}, private readonly now: () => number = Date.now) {
    this.reset();
  }

  put(bucket: string, key: string, body: Buffer | string, options: PutOptions = {}): ObjectInfo {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const object: ObjectInfo = {
      uri: `s3://${bucket}/${key}`,
      bucket,
      key,
      body: bytes,
      get text() {
        return bytes.toString('utf8');
      },
      size: bytes.length,
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      contentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
      lastModified: this.now(),
      metadata: { ...options.metadata },
      checksumCrc32: options.checksumCrc32,
    };
    this.bucket(bucket, true)!.set(key, object);
    return object;
  }

  /** By uri (`s3://bucket/key`). */
  putUri(uri: string, body: Buffer | string, options?: PutOptions): ObjectInfo {
    const parsed = parseS3Uri(uri);
    if (!parsed) throw new Error(`Not an S3 object uri: ${uri}`);
    return this.put(parsed.bucket, parsed.key, body, options);
  }

  get(bucket: string, key: string): ObjectInfo | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  getUri(uri: string): ObjectInfo | undefined {
    const parsed = parseS3Uri(uri);
    return parsed && this.get(parsed.bucket, parsed.key);
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  /** Removes the object; the bucket stays. Returns whether there was one. */
  delete(bucket: string, key: string): boolean {
    return this.buckets.get(bucket)?.delete(key) ?? false;
  }

  /** A bucket's objects in key order (UTF-8 byte order, as S3 lists them). */
  list(bucket: string): ObjectInfo[] {
    return [...(this.buckets.get(bucket)?.values() ?? [])].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  /** Every object, by bucket then key. */
  all(): ObjectInfo[] {
    return [...this.buckets.keys()].sort().flatMap((bucket) => this.list(bucket));
  }

  /** Back to the seeded objects only. */
  reset(): void {
    this.buckets.clear();
    for (const [uri, text] of Object.entries(this.seed)) {
      const parsed = parseS3Uri(uri);
      if (!parsed) throw new Error(`The emulator's s3 option takes s3://<bucket>/<key> uris, not ${uri}`);
      this.put(parsed.bucket, parsed.key, text);
    }
  }

  private bucket(name: string, create = false): Map<string, ObjectInfo> | undefined {
    let bucket = this.buckets.get(name);
    if (!bucket && create) {
      bucket = new Map();
      this.buckets.set(name, bucket);
    }
    return bucket;
  }
}
