import * as fs from 'fs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { throwIfInvalid, validateString } from '../private/validation';

/** What a source gives the dataset: inline examples, or the location of a JSONL file in S3. */
interface EvaluationDatasetSourceConfig {
  /**
   * Examples sent to the service as JSON documents.
   * @default - the examples are read from `bucket`
   */
  readonly inlineExamples?: any[];

  /**
   * The bucket that holds the JSONL file. The handler is allowed `s3:GetObject` on the file, as the
   * service reads it with the handler's credentials.
   * @default - inline examples
   */
  readonly bucket?: s3.IBucket;

  /**
   * The key of the JSONL file in `bucket`.
   * @default - inline examples
   */
  readonly objectKey?: string;

  /**
   * A local copy of the JSONL file, checked against the schema type at synth time.
   * @default - the file is not checked at synth time
   */
  readonly localFile?: string;
}

/**
 * Where an evaluation dataset's examples come from. Changing the source (other inline examples,
 * another S3 key, a changed asset) changes the examples in place: the dataset keeps its id, and a
 * new version is published.
 *
 * @example
 * declare const bucket: s3.IBucket;
 * EvaluationDatasetSource.fromInline([{ scenario_id: 's1', turns: [{ input: 'hi' }] }]);
 * EvaluationDatasetSource.fromBucket(bucket, 'evals/checkout.jsonl');
 * EvaluationDatasetSource.fromAsset(path.join(__dirname, 'checkout.jsonl'));
 */
export abstract class EvaluationDatasetSource {
  /**
   * Examples given as plain objects and sent as JSON documents. They go into the template, so
   * their JSON is limited to 32 KiB: use `fromAsset` for larger sets.
   */
  public static fromInline(examples: any[]): EvaluationDatasetSource {
    return new InlineSource(examples);
  }

  /**
   * A JSONL file (one example per line) in S3. Its content is not known at synth time, so it is
   * not checked there, and a new object under the same key is not noticed: change the key to
   * change the examples. A dataset read from S3 carries one more library tag
   * (`cdk-datasets:examples-source`, the source its examples came from), so it takes at most 48
   * of your tags.
   */
  public static fromBucket(bucket: s3.IBucket, key: string): EvaluationDatasetSource {
    return new BucketSource(bucket, key);
  }

  /**
   * A local JSONL file (one example per line; blank lines are skipped), checked at synth time and
   * staged as an S3 asset. A change to the file changes the examples on the next deployment. Like
   * `fromBucket`, it leaves room for 48 of your tags.
   */
  public static fromAsset(path: string): EvaluationDatasetSource {
    return new AssetSource(path);
  }

  /**
   * Where the examples are, for the dataset that uses the source.
   * @internal
   */
  public abstract _bind(scope: Construct): EvaluationDatasetSourceConfig;
}

class InlineSource extends EvaluationDatasetSource {
  constructor(private readonly examples: any[]) {
    super();
  }

  public _bind(_scope: Construct): EvaluationDatasetSourceConfig {
    return { inlineExamples: this.examples };
  }
}

class BucketSource extends EvaluationDatasetSource {
  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
  }

  public _bind(scope: Construct): EvaluationDatasetSourceConfig {
    // S3Source.s3Uri: s3://<bucket>/.{1,1024}
    throwIfInvalid(scope, validateString(this.key, { property: 'source key', minLength: 1, maxLength: 1024 }));
    return { bucket: this.bucket, objectKey: this.key };
  }
}

class AssetSource extends EvaluationDatasetSource {
  constructor(private readonly path: string) {
    super();
  }

  public _bind(scope: Construct): EvaluationDatasetSourceConfig {
    if (!fs.existsSync(this.path)) {
      throwIfInvalid(scope, [`source: the JSONL file ${this.path} does not exist`]);
    }
    if (!fs.statSync(this.path).isFile()) {
      throwIfInvalid(scope, [`source: ${this.path} is a directory; fromAsset takes one JSONL file`]);
    }
    const asset = new s3_assets.Asset(scope, 'ExamplesFile', { path: this.path });
    return { bucket: asset.bucket, objectKey: asset.s3ObjectKey, localFile: this.path };
  }
}
