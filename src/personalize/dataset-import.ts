import * as fs from 'fs';
import { Annotations, Duration, ITaggableV2, RemovalPolicy, Stack, TagManager, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { PERSONALIZE_TAG_RULES, personalizeProvider, validatePersonalizeName } from './common';
import { checkCsvHeader, schemaFieldsOf } from './csv';
import {
  ASSET_READ_ACTIONS, DATASET_IMPORT_HANDLER_ACTIONS, DATASET_OF_IMPORT_ACTIONS, PERSONALIZE_KMS_ACTIONS, PERSONALIZE_S3_BUCKET_ACTIONS,
  PERSONALIZE_S3_OBJECT_ACTIONS, STAGED_COPY_BUCKET_ACTIONS, STAGED_COPY_OBJECT_ACTIONS,
} from './perms';
import type { ISchema } from './schema';
import { DEFAULT_IMPORT_WAIT_TIMEOUT_SECONDS } from '../contract';
import { DatasetsProvider } from '../provider';
import { addToKeyPolicy } from '../private/kms';
import { acknowledge, nagTextOf } from '../private/nag';
import { addDatasetResource, newTagManager } from '../private/resource';
import { throwIfInvalid } from '../private/validation';

/******************************************************************************
 *                                 Constants
 *****************************************************************************/

const PERSONALIZE_SERVICE_PRINCIPAL = 'personalize.amazonaws.com';
/** CreateDatasetImportJob's dataSource.dataLocation: at most 256 characters. */
const MAX_DATA_LOCATION_LENGTH = 256;
/** The handler stages a local file with one CopyObject, which copies at most 5 GB. */
const MAX_LOCAL_FILE_BYTES = 5 * 1024 ** 3;
const DEVELOPER_GUIDE_S3 = 'Amazon Personalize developer guide, "Giving Amazon Personalize access to Amazon S3 resources"';
const DEVELOPER_GUIDE_KMS = 'Amazon Personalize developer guide, "Giving Amazon Personalize permission to use your AWS KMS key"';

/** How an import job adds to the data already in the dataset. */
export enum ImportMode {
  /** The imported data replaces all the data in the dataset (bulk records imported before). */
  FULL = 'FULL',
  /** The imported data is appended to the data in the dataset; records with an existing ID replace it. */
  INCREMENTAL = 'INCREMENTAL',
}

/******************************************************************************
 *                                 Source
 *****************************************************************************/

/** What a source gives the import. */
interface BoundSource {
  /** The bucket Personalize reads from. */
  readonly bucket: s3.IBucket;
  /** A CSV file's key, or a prefix ending in `/` (every CSV file under it). */
  readonly keyOrPrefix: string;
  /** A local CSV file, checked against the schema at synth time. */
  readonly localFile?: string;
  /** A file asset that the handler copies to `bucket`/`keyOrPrefix` before the import job reads it. */
  readonly asset?: s3_assets.Asset;
}

/**
 * Where a dataset import job reads its data: CSV files in S3, as the Personalize developer guide's
 * data format guidelines describe them (the first row holds the column headers, which name the
 * schema's fields). A new source (another key or prefix, a changed local file) runs a new import job
 * on the next deployment; an unchanged one runs none.
 *
 * @example
 * declare const bucket: s3.IBucket;
 * DatasetImportSource.fromBucket(bucket, 'interactions/2024-06.csv');
 * DatasetImportSource.fromBucket(bucket, 'interactions/'); // every file under the prefix
 * DatasetImportSource.fromAsset(path.join(__dirname, 'interactions.csv'));
 */
export abstract class DatasetImportSource {
  /**
   * A CSV file (a key) or every CSV file under a folder (a prefix ending in `/`) in a bucket.
   * Personalize's role is granted read access to exactly that key or prefix. For a bucket defined
   * in this app, the bucket policy Personalize requires is added for the same key or prefix; for
   * an imported bucket, add it yourself (a synth-time warning says so): allow the service principal
   * `personalize.amazonaws.com` `s3:GetObject` on the objects and `s3:ListBucket` on the bucket.
   * The data is not known at synth time, so it is not checked there, and new data under the same
   * key is not noticed: change the key (or the job name) to import it.
   */
  public static fromBucket(bucket: s3.IBucket, keyOrPrefix: string): DatasetImportSource {
    return new BucketSource(bucket, keyOrPrefix);
  }

  /**
   * A local CSV file, staged as an S3 asset. Its header row is checked at synth time against the
   * dataset's schema. A changed file is a new asset, and runs a new import job on the next
   * deployment. The CDK asset bucket's policy cannot be changed by an app, so the handler copies
   * the asset into a bucket that the library keeps for the stack, whose policy lets Personalize
   * read it; the copy is removed once its import job has ended. At most 5 GB.
   */
  public static fromAsset(path: string): DatasetImportSource {
    return new AssetSource(path);
  }

  /**
   * Where the data is, for the import that uses the source.
   * @internal
   */
  public abstract _bind(scope: Construct): BoundSource;
}

class BucketSource extends DatasetImportSource {
  constructor(private readonly bucket: s3.IBucket, private readonly keyOrPrefix: string) {
    super();
  }

  public _bind(scope: Construct): BoundSource {
    throwIfInvalid(scope, validateLocation(this.bucket.bucketName, this.keyOrPrefix));
    return { bucket: this.bucket, keyOrPrefix: this.keyOrPrefix };
  }
}

class AssetSource extends DatasetImportSource {
  constructor(private readonly path: string) {
    super();
  }

  public _bind(scope: Construct): BoundSource {
    if (!fs.existsSync(this.path)) throwIfInvalid(scope, [`source: the CSV file ${this.path} does not exist`]);
    const stat = fs.statSync(this.path);
    if (!stat.isFile()) throwIfInvalid(scope, [`source: ${this.path} is a directory; fromAsset takes one CSV file`]);
    if (stat.size > MAX_LOCAL_FILE_BYTES) {
      throwIfInvalid(scope, [`source: ${this.path} holds ${stat.size} bytes; a local file is staged with one S3 CopyObject, ` +
        'which copies at most 5 GB: put a larger file in a bucket and import it with DatasetImportSource.fromBucket']);
    }
    const asset = new s3_assets.Asset(scope, 'Data', { path: this.path });
    return { bucket: DatasetsProvider.of(scope)._stagingBucket(), keyOrPrefix: asset.s3ObjectKey, localFile: this.path, asset };
  }
}

/** CreateDatasetImportJob's dataLocation is s3://<bucket>/<key or prefix>, at most 256 characters. */
function validateLocation(bucketName: string, keyOrPrefix: string): string[] {
  if (Token.isUnresolved(keyOrPrefix)) return [];
  if (keyOrPrefix.length === 0) {
    return ['source: the key is empty; give the key of a CSV file, or a prefix ending in "/" for every file under it'];
  }
  if (keyOrPrefix.startsWith('/')) return [`source: the key "${keyOrPrefix}" starts with "/"; S3 keys are given without it`];
  // Bucket names have 3 to 63 characters.
  const bucketLength = Token.isUnresolved(bucketName) ? 3 : bucketName.length;
  const length = 's3://'.length + bucketLength + 1 + keyOrPrefix.length;
  if (length > MAX_DATA_LOCATION_LENGTH) {
    return [`source: the data location s3://${Token.isUnresolved(bucketName) ? '<bucket>' : bucketName}/${keyOrPrefix} is ` +
      `${Token.isUnresolved(bucketName) ? 'at least ' : ''}${length} characters long; Personalize takes at most ${MAX_DATA_LOCATION_LENGTH}`];
  }
  return [];
}

/******************************************************************************
 *                                 Options
 *****************************************************************************/

/** The import of data into a dataset when it is deployed: `DatasetOptions.dataImport`. */
export interface DatasetImportOptions {
  /** Where the data is: `DatasetImportSource.fromBucket` or `DatasetImportSource.fromAsset`. */
  readonly source: DatasetImportSource;

  /**
   * Whether the import replaces the dataset's bulk data or adds to it. A change of mode runs a new
   * import job. A job imports its source once; note that when a deployment that changed the source
   * fails and rolls back, the rollback imports the previous source again, with a new job (with
   * INCREMENTAL, its interactions are appended again).
   * @default ImportMode.FULL
   */
  readonly importMode?: ImportMode;

  /**
   * The name of the import job: a letter or digit, then letters, digits, hyphens and underscores,
   * 1 to 63 characters. Import jobs cannot be deleted and their names are unique in the account
   * and region, so a fixed name serves one job: a change that runs a new job (source, mode, role)
   * must come with a new name, or none.
   * @default - a unique name is generated for each import job from the stack name and construct id
   */
  readonly jobName?: string;

  /**
   * The role Personalize assumes to read the data. It is granted `s3:GetObject` on exactly the
   * source's key or prefix, `s3:ListBucket` on its bucket, `kms:Decrypt` on the bucket's key, and
   * the key permissions Personalize documents on the dataset group's key, where these can be added.
   * @default - a role that only Personalize, for this account, can assume
   */
  readonly role?: iam.IRole;

  /**
   * Whether the deployment waits until the import job is ACTIVE (a CREATE FAILED job then fails it
   * with the job's `failureReason`). A custom resource can wait 1 hour at the most (the
   * CloudFormation Provider framework's ceiling), and a large import can take longer: with
   * `false`, the deployment goes on as soon as the job is created, and the job's ARN
   * (`Dataset.importJobArn`) lets you follow it (DescribeDatasetImportJob). Either way, deleting
   * the dataset waits while its import job still runs.
   * @default true
   */
  readonly waitForCompletion?: boolean;

  /**
   * How long a deployment waits for the import job to become ACTIVE (when `waitForCompletion`),
   * and how long a deletion or replacement waits for a running job to finish, before it fails. At
   * most 1 hour. A wait that times out fails the deployment, which rolls back; the rollback again
   * waits for the job, which cannot be stopped, to finish.
   * @default Duration.hours(1)
   */
  readonly waitTimeout?: Duration;
}

/** What the dataset tells its import. */
export interface DatasetImportProps extends DatasetImportOptions {
  /** The dataset the data goes into. */
  readonly datasetArn: string;
  /** The dataset's schema: a local CSV file's header row is checked against its fields. */
  readonly schema: ISchema;
  /**
   * The key the dataset group encrypts its data with.
   * @default - the group's data is encrypted with a key owned by Personalize, or its key is not known
   */
  readonly groupEncryptionKey?: kms.IKey;
}

/******************************************************************************
 *                                 Class
 *****************************************************************************/

/**
 * A dataset import job, made by a custom resource once its dataset is ACTIVE, with the role
 * Personalize assumes to read the data and the bucket, key and handler permissions it needs. Its
 * physical id is the job's ARN: a changed source, asset, mode or role is a replacement, that is a
 * new import job (the dataset keeps its ARN). Import jobs cannot be deleted: deleting one waits
 * while it runs. Made by `Dataset` for its `dataImport` option.
 *
 * @resource Custom::PersonalizeDatasetImport
 */
export class DatasetImport extends Construct implements ITaggableV2 {
  /** The ARN of the import job, which changes with each new import. */
  public readonly importJobArn: string;
  /** The role Personalize assumes to read the data. */
  public readonly role: iam.IRole;
  public readonly cdkTagManager: TagManager;

  constructor(scope: Construct, id: string, props: DatasetImportProps) {
    super(scope, id);
    throwIfInvalid(this, validatePersonalizeName(props.jobName, 'dataImport.jobName'));
    const source = props.source._bind(this);
    if (source.localFile) {
      const fields = schemaFieldsOf(props.schema);
      if (fields) throwIfInvalid(this, checkCsvHeader(source.localFile, fields, props.schema.node.path));
    }
    const stack = Stack.of(this);
    this.cdkTagManager = newTagManager('DatasetImport');

    this.role = props.role ?? new iam.Role(this, 'Role', {
      // Confused deputy prevention, as the developer guide's trust policy has it.
      assumedBy: new iam.ServicePrincipal(PERSONALIZE_SERVICE_PRINCIPAL).withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'personalize', resource: '*' }) },
      }),
      description: `Lets Amazon Personalize read the data that ${this.node.path} imports`,
    });
    const { bucket, keyOrPrefix } = source;
    const objects = bucket.arnForObjects(keyOrPrefix.endsWith('/') ? `${keyOrPrefix}*` : keyOrPrefix);
    this.grantRead(this.role, bucket, objects);
    this.addBucketPolicy(bucket, objects);
    if (bucket.encryptionKey) this.allowKey(bucket.encryptionKey, 'kms:Decrypt');
    // The developer guide's key policy for import jobs admits Personalize and the role it is given.
    if (props.groupEncryptionKey) this.allowKey(props.groupEncryptionKey, ...PERSONALIZE_KMS_ACTIONS);

    const provider = personalizeProvider(this, 'dataset-import-job', DATASET_IMPORT_HANDLER_ACTIONS);
    // CreateDatasetImportJob is authorized against the new job and the dataset (whose ARN the
    // provider itself makes, so the grant names the resource type), and hands the role to Personalize.
    personalizeProvider(this, 'dataset', DATASET_OF_IMPORT_ACTIONS);
    provider._grant(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': PERSONALIZE_SERVICE_PRINCIPAL } },
    }));
    if (source.asset) {
      // The handler copies the asset (CopyObject: read the source, write the copy) before the
      // import, and removes the copy once the job has ended.
      provider._grant(new iam.PolicyStatement({
        actions: ASSET_READ_ACTIONS, resources: [source.asset.bucket.arnForObjects(source.asset.s3ObjectKey)],
      }));
      provider._grant(new iam.PolicyStatement({ actions: STAGED_COPY_OBJECT_ACTIONS, resources: [objects] }));
      provider._grant(new iam.PolicyStatement({ actions: STAGED_COPY_BUCKET_ACTIONS, resources: [bucket.bucketArn] }));
    }

    const { resource } = addDatasetResource(this, {
      resource: 'DatasetImport',
      properties: {
        JobName: props.jobName,
        DatasetArn: props.datasetArn,
        DataLocation: `s3://${bucket.bucketName}/${keyOrPrefix}`,
        ImportMode: props.importMode ?? ImportMode.FULL,
        RoleArn: this.role.roleArn,
        WaitForCompletion: props.waitForCompletion ?? true,
        StagedFrom: source.asset ? `s3://${source.asset.s3BucketName}/${source.asset.s3ObjectKey}` : undefined,
        AssetHash: source.asset?.assetHash,
      },
      // Deleting an import job only waits for it to finish: the imported data stays in the dataset.
      removalPolicy: RemovalPolicy.DESTROY,
      tags: { manager: this.cdkTagManager, rules: PERSONALIZE_TAG_RULES },
      waitTimeout: props.waitTimeout,
      defaultWaitTimeout: Duration.seconds(DEFAULT_IMPORT_WAIT_TIMEOUT_SECONDS),
    });
    // Personalize checks its access when the job reads the data: the role's policy, the bucket
    // policy and the key policies must be in place first.
    resource.node.addDependency(this.role);
    if (bucket.policy) resource.node.addDependency(bucket.policy);
    for (const key of [bucket.encryptionKey, props.groupEncryptionKey]) if (key) resource.node.addDependency(key);

    this.importJobArn = resource.ref;
  }

  /** s3:GetObject on exactly the key or prefix, s3:ListBucket on the bucket. */
  private grantRead(role: iam.IRole, bucket: s3.IBucket, objects: string): void {
    const objectGrant = iam.Grant.addToPrincipal({ grantee: role, actions: PERSONALIZE_S3_OBJECT_ACTIONS, resourceArns: [objects] });
    iam.Grant.addToPrincipal({ grantee: role, actions: PERSONALIZE_S3_BUCKET_ACTIONS, resourceArns: [bucket.bucketArn] });
    if (objects.includes('*') && objectGrant.principalStatements.length > 0 && role.node.scope === this) {
      acknowledge(role, [`Resource::${nagTextOf(this, objects)}`], 'Personalize reads every CSV file under the ' +
        'import source\'s prefix (a folder import); the role reads only that prefix of that bucket.');
    }
  }

  /** Personalize also needs the bucket to allow it, for the same objects. */
  private addBucketPolicy(bucket: s3.IBucket, objects: string): void {
    const principals = [new iam.ServicePrincipal(PERSONALIZE_SERVICE_PRINCIPAL)];
    const added = bucket.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: PERSONALIZE_S3_OBJECT_ACTIONS, resources: [objects] }));
    bucket.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: PERSONALIZE_S3_BUCKET_ACTIONS, resources: [bucket.bucketArn] }));
    if (!added.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-datasets:personalize-import-bucket-policy', 'The import source\'s bucket ' +
        `${bucket.bucketName} is not defined in this app, so its policy cannot be changed here. Personalize also needs the ` +
        `bucket policy to allow the service principal ${PERSONALIZE_SERVICE_PRINCIPAL} s3:GetObject on the imported ` +
        `objects and s3:ListBucket on the bucket (${DEVELOPER_GUIDE_S3}); add it where the bucket is defined.`);
    }
  }

  /** The role may use the key, and (for a key defined in this app) the key policy admits Personalize, as the guide has it. */
  private allowKey(key: kms.IKey, ...actions: string[]): void {
    key.grant(this.role, ...actions);
    addToKeyPolicy(this, key, new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(PERSONALIZE_SERVICE_PRINCIPAL)],
      actions: PERSONALIZE_KMS_ACTIONS,
      resources: ['*'],
    }), {
      id: 'cdk-datasets:personalize-import-key-policy',
      what: `Personalize needs the key policy to allow the service principal ${PERSONALIZE_SERVICE_PRINCIPAL} and the import role ` +
        PERSONALIZE_KMS_ACTIONS.join(', '),
      source: DEVELOPER_GUIDE_KMS,
    });
  }
}
