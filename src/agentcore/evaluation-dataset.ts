import { Arn, ArnFormat, Duration, IResource, ITaggableV2, RemovalPolicy, Resource, Stack, TagManager, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { validateInlineExamples, validateJsonlFile } from './examples';
import {
  DATASET_KEY_CALLER_ACTIONS, DATASET_KEY_READ_ACTIONS, EVALUATION_DATASET_ACCOUNT_ACTIONS,
  EVALUATION_DATASET_HANDLER_ACTIONS, EVALUATION_DATASET_READ_ACTIONS,
} from './perms';
import { EvaluationSchemaType } from './schema-type';
import { EvaluationDatasetSource, EvaluationDatasetSourceConfig } from './source';
import { AGENTCORE, DatasetsProvider } from '../private/provider';
import { addDatasetResource, newTagManager } from '../private/resource';
import { TagRules, throwIfInvalid, validateString } from '../private/validation';

/******************************************************************************
 *                                 Constants
 *****************************************************************************/

const RESOURCE_TYPE = 'Custom::AgentCoreEvaluationDataset';
const AGENTCORE_SERVICE_PRINCIPAL = 'bedrock-agentcore.amazonaws.com';

/** CreateDataset datasetName: a letter, then letters, digits and underscores; 1 to 48 characters. */
const NAME_RULE = {
  pattern: /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/,
  patternText: 'a letter, then letters, digits and underscores',
  minLength: 1,
  maxLength: 48,
};

/** CreateDataset description: at most 200 characters. */
const MAX_DESCRIPTION_LENGTH = 200;

/**
 * CreateDataset and TagResource tags: at most 50, keys of 1 to 128 and values of up to 256
 * characters of `[a-zA-Z0-9\s._:/=+@-]`. One is the library's ownership tag; a dataset read from S3
 * carries one more, which records the source its examples came from.
 */
const TAG_PATTERN = /^[a-zA-Z0-9\s._:/=+@-]*$/;
const TAG_RULES: TagRules = { maxTags: 49, keyPattern: TAG_PATTERN, valuePattern: TAG_PATTERN, maxKeyLength: 128, maxValueLength: 256 };
const MAX_TAGS_WITH_S3_SOURCE = 48;
const RESERVED_TAG_PREFIX = 'cdk-datasets:';

/** CreateDataset kmsKeyArn: a key ARN (not an alias). */
const KEY_ARN = /^arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]*:[0-9]{12}:key\/[a-zA-Z0-9-]{36}$/;

/** A dataset's ARN (API reference, datasetArn). */
const DATASET_ARN = /^arn:aws(-[a-z]+)*:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:dataset\/[a-zA-Z0-9_-]{1,110}$/;

/******************************************************************************
 *                                 Interface
 *****************************************************************************/

/** An Amazon Bedrock AgentCore evaluation dataset, made by this library or imported. */
export interface IEvaluationDataset extends IResource {
  /**
   * The ARN of the dataset.
   * @attribute
   */
  readonly evaluationDatasetArn: string;

  /**
   * The id of the dataset, which the AgentCore API takes.
   * @attribute
   */
  readonly evaluationDatasetId: string;

  /**
   * The name of the dataset.
   * @attribute
   */
  readonly evaluationDatasetName: string;

  /**
   * The KMS key the dataset's examples are encrypted with.
   * @default - a key owned by AgentCore, or not known for an imported dataset
   */
  readonly encryptionKey?: kms.IKey;

  /** Grants the given actions on this dataset. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /** Grants reading this dataset: its description, examples and versions (and decrypting them with its key). */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/******************************************************************************
 *                                 Base class
 *****************************************************************************/

abstract class EvaluationDatasetBase extends Resource implements IEvaluationDataset {
  public abstract readonly evaluationDatasetArn: string;
  public abstract readonly evaluationDatasetId: string;
  public abstract readonly evaluationDatasetName: string;
  public abstract readonly encryptionKey?: kms.IKey;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.evaluationDatasetArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = this.grant(grantee, ...EVALUATION_DATASET_READ_ACTIONS);
    return this.encryptionKey ? grant.combine(this.encryptionKey.grant(grantee, ...DATASET_KEY_READ_ACTIONS)) : grant;
  }
}

/******************************************************************************
 *                                 Props
 *****************************************************************************/

/** Properties of an {@link EvaluationDataset}. */
export interface EvaluationDatasetProps {
  /**
   * The schema type: the shape every example must have. Examples given inline or as a local file
   * are checked against it at synth time. Changing it replaces the dataset.
   */
  readonly schemaType: EvaluationSchemaType;

  /** Where the examples come from. Changing them updates the dataset in place and publishes a new version. */
  readonly source: EvaluationDatasetSource;

  /**
   * The name of the dataset: a letter, then letters, digits and underscores, 1 to 48 characters,
   * unique in the account regardless of case. A fixed name cannot be kept across a replacement, so
   * a change that replaces the dataset (schema type, key) must come with a new name or none.
   * @default - a unique name is generated at deploy time from the stack name and construct id
   */
  readonly datasetName?: string;

  /**
   * A description of the dataset, at most 200 characters. Changed in place.
   * @default - no description
   */
  readonly description?: string;

  /**
   * A symmetric customer managed KMS key, in the stack's region, that AgentCore encrypts the
   * examples with. The handler is allowed to use it, and the key policy (for keys defined in this
   * app) admits `bedrock-agentcore.amazonaws.com` as the AgentCore developer guide describes.
   * Changing it replaces the dataset.
   * @default - the examples are encrypted with a key owned by AgentCore
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the dataset when it leaves the stack. Datasets hold data, so like other
   * stateful resources they are retained unless you say otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a deployment waits for the dataset to become ACTIVE with its examples and version in
   * place, or to be gone after deletion, before it fails. At most 1 hour.
   * @default Duration.minutes(30)
   */
  readonly waitTimeout?: Duration;
}

/******************************************************************************
 *                                 Attributes
 *****************************************************************************/

/** Attributes of an existing dataset, for {@link EvaluationDataset.fromEvaluationDatasetAttributes}. */
export interface EvaluationDatasetAttributes {
  /** The ARN of the dataset. */
  readonly evaluationDatasetArn: string;

  /**
   * The name of the dataset (it cannot be read from the ARN, which ends in the dataset's id).
   * @default - not known: reading `evaluationDatasetName` is an error
   */
  readonly evaluationDatasetName?: string;

  /**
   * The KMS key the dataset is encrypted with, so that `grantRead` also allows decrypting.
   * @default - no key: the dataset is encrypted with a key owned by AgentCore
   */
  readonly encryptionKey?: kms.IKey;
}

/******************************************************************************
 *                                 Class
 *****************************************************************************/

/**
 * An Amazon Bedrock AgentCore evaluation dataset, created and deleted by a custom resource that
 * waits until the dataset is ACTIVE (or gone). The description, the examples and the tags change
 * in place, keeping the dataset's id; each change of examples publishes a new version. A change of
 * name, schema type or key replaces the dataset.
 *
 * @resource Custom::AgentCoreEvaluationDataset
 * @example
 * declare const key: kms.IKey;
 * const evals = new EvaluationDataset(this, 'CheckoutEval', {
 *   schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1,
 *   source: EvaluationDatasetSource.fromInline([{ scenario_id: 's1', turns: [{ input: 'hi' }] }]),
 *   description: 'Checkout agent regression set',
 *   encryptionKey: key,
 * });
 */
export class EvaluationDataset extends EvaluationDatasetBase implements ITaggableV2 {
  /** Imports a dataset by its ARN. Its name is not known: use `fromEvaluationDatasetAttributes` to give it. */
  public static fromEvaluationDatasetArn(scope: Construct, id: string, evaluationDatasetArn: string): IEvaluationDataset {
    return EvaluationDataset.fromEvaluationDatasetAttributes(scope, id, { evaluationDatasetArn });
  }

  /** Imports a dataset from its attributes. */
  public static fromEvaluationDatasetAttributes(scope: Construct, id: string, attrs: EvaluationDatasetAttributes): IEvaluationDataset {
    const arn = attrs.evaluationDatasetArn;
    if (!Token.isUnresolved(arn) && !DATASET_ARN.test(arn)) {
      throwIfInvalid(scope, [`evaluationDatasetArn "${arn}" is not an AgentCore dataset ARN ` +
        '(arn:<partition>:bedrock-agentcore:<region>:<account>:dataset/<datasetId>)']);
    }
    throwIfInvalid(scope, validateString(attrs.evaluationDatasetName, { property: 'evaluationDatasetName', ...NAME_RULE }));
    class Import extends EvaluationDatasetBase {
      public readonly evaluationDatasetArn = arn;
      public readonly evaluationDatasetId = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
      public readonly encryptionKey = attrs.encryptionKey;

      public get evaluationDatasetName(): string {
        if (attrs.evaluationDatasetName === undefined) {
          throwIfInvalid(this, ['evaluationDatasetName is not known for a dataset imported by ARN; ' +
            'import it with EvaluationDataset.fromEvaluationDatasetAttributes and give evaluationDatasetName']);
        }
        return attrs.evaluationDatasetName!;
      }
    }
    return new Import(scope, id, { environmentFromArn: arn });
  }

  public readonly evaluationDatasetArn: string;
  public readonly evaluationDatasetId: string;
  public readonly evaluationDatasetName: string;
  /**
   * The version the deployment published (or found current) once the examples were in place.
   * @attribute
   */
  public readonly evaluationDatasetVersion: string;
  /** The schema type of the examples. */
  public readonly schemaType: EvaluationSchemaType;
  public readonly encryptionKey?: kms.IKey;
  /** The removal policy of the dataset. */
  public readonly removalPolicy: RemovalPolicy;
  public readonly cdkTagManager: TagManager;

  /**
   * @param scope the scope in which to define this construct
   * @param id the scoped construct id, unique within the scope
   * @param props the construct's properties
   */
  constructor(scope: Construct, id: string, props: EvaluationDatasetProps) {
    super(scope, id);
    throwIfInvalid(this, [
      ...validateString(props.datasetName, { property: 'datasetName', ...NAME_RULE }),
      ...validateString(props.description, { property: 'description', maxLength: MAX_DESCRIPTION_LENGTH }),
      ...validateString(props.schemaType.value, { property: 'schemaType', minLength: 1 }),
      ...validateKey(this, props.encryptionKey),
    ]);
    const source = props.source.bind(this);
    throwIfInvalid(this, validateSource(props.schemaType.value, source));

    this.schemaType = props.schemaType;
    this.encryptionKey = props.encryptionKey;
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.cdkTagManager = newTagManager(RESOURCE_TYPE);

    const provider = DatasetsProvider.of(this, AGENTCORE);
    provider.grantHandlerOnResourceType('bedrock-agentcore', 'dataset', EVALUATION_DATASET_HANDLER_ACTIONS);
    grantAccountActions(provider);
    if (source.bucket) {
      // The service reads the file with the caller's credentials (forward access sessions).
      provider.grantHandler(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [source.bucket.arnForObjects(source.objectKey!)] }));
      source.bucket.encryptionKey?.grant(provider.handlerRole, 'kms:Decrypt');
    }
    if (props.encryptionKey) grantKey(this, provider, props.encryptionKey);

    const resource = addDatasetResource(this, {
      service: provider.service,
      resourceType: RESOURCE_TYPE,
      properties: {
        DatasetName: props.datasetName,
        Description: props.description,
        SchemaType: props.schemaType.value,
        KmsKeyArn: props.encryptionKey?.keyArn,
        InlineExamples: source.inlineExamples ? Stack.of(this).toJsonString(source.inlineExamples) : undefined,
        S3Uri: source.bucket ? `s3://${source.bucket.bucketName}/${source.objectKey}` : undefined,
      },
      removalPolicy: this.removalPolicy,
      tags: this.cdkTagManager,
      tagRules: TAG_RULES,
      waitTimeout: props.waitTimeout,
    });
    // AgentCore checks the key (with its policy) when it creates the dataset.
    if (props.encryptionKey) resource.node.addDependency(props.encryptionKey);
    // Tags arrive through Aspects, so they can only be checked once synthesis has applied them.
    this.node.addValidation({ validate: () => validateReservedTags(this.cdkTagManager, source.bucket !== undefined) });

    this.evaluationDatasetArn = resource.ref;
    this.evaluationDatasetId = resource.getAttString('EvaluationDatasetId');
    this.evaluationDatasetName = props.datasetName ?? resource.getAttString('EvaluationDatasetName');
    this.evaluationDatasetVersion = resource.getAttString('DatasetVersion');
  }
}

function validateSource(schemaType: string, source: EvaluationDatasetSourceConfig): string[] {
  if (source.inlineExamples) return validateInlineExamples(schemaType, source.inlineExamples);
  if (source.localFile) return validateJsonlFile(schemaType, source.localFile);
  return [];
}

function validateKey(scope: Construct, key: kms.IKey | undefined): string[] {
  if (!key) return [];
  if ('aliasName' in key) {
    return ['encryptionKey is an alias; AgentCore takes a key ARN, so pass the key itself (alias.aliasTargetKey)'];
  }
  const errors: string[] = [];
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && !Token.isUnresolved(key.env.region) && key.env.region !== region) {
    errors.push(`encryptionKey is in ${key.env.region}; AgentCore needs a key in the dataset's region (${region})`);
  }
  if (!Token.isUnresolved(key.keyArn) && !KEY_ARN.test(key.keyArn)) {
    errors.push(`encryptionKey ARN "${key.keyArn}" must match ${KEY_ARN.source}`);
  }
  if (key instanceof kms.Key) {
    const cfn = key.node.defaultChild as kms.CfnKey;
    const spec: unknown = cfn.keySpec;
    const usage: unknown = cfn.keyUsage;
    if ((typeof spec === 'string' && !Token.isUnresolved(spec) && spec !== kms.KeySpec.SYMMETRIC_DEFAULT)
      || (typeof usage === 'string' && !Token.isUnresolved(usage) && usage !== kms.KeyUsage.ENCRYPT_DECRYPT)) {
      errors.push(`encryptionKey has key spec ${spec ?? kms.KeySpec.SYMMETRIC_DEFAULT} and usage ${usage ?? kms.KeyUsage.ENCRYPT_DECRYPT}; ` +
        'AgentCore only supports symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)');
    }
  }
  return errors;
}

/** The library's tags are its own, and a dataset read from S3 carries one more of them. */
function validateReservedTags(tags: TagManager, s3Source: boolean): string[] {
  const rendered: Array<{ Key: string; Value: string }> = tags.renderTags() ?? [];
  const errors = rendered.filter((t) => !Token.isUnresolved(t.Key) && t.Key.startsWith(RESERVED_TAG_PREFIX))
    .map((t) => `tag key "${t.Key}" uses the prefix "${RESERVED_TAG_PREFIX}", which the library keeps for its own tags`);
  if (s3Source && rendered.length > MAX_TAGS_WITH_S3_SOURCE) {
    errors.push(`tags: ${rendered.length} tags are applied; a dataset read from S3 takes at most ${MAX_TAGS_WITH_S3_SOURCE} ` +
      '(of its 50, cdk-datasets keeps one for its ownership tag and one that records the examples\' source)');
  }
  return errors;
}

/**
 * CreateDataset and ListDatasets have no resource type in the Service Authorization Reference, so
 * they can only be allowed on "*"; the finding is acknowledged for that statement's resource.
 */
const accountGrants = new WeakSet<DatasetsProvider>();
function grantAccountActions(provider: DatasetsProvider): void {
  if (accountGrants.has(provider)) return;
  accountGrants.add(provider);
  provider.grantHandler(new iam.PolicyStatement({ actions: EVALUATION_DATASET_ACCOUNT_ACTIONS, resources: ['*'] }));
  Validations.of(provider.handlerRole).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason: 'bedrock-agentcore:CreateDataset and ListDatasets support no resource-level permissions (no dataset ARN ' +
      'exists before CreateDataset); every other dataset action is scoped to this account and region\'s dataset ARNs.',
  });
}

/**
 * The handler creates the dataset, so it needs what the caller of CreateDataset needs on the key;
 * AgentCore itself encrypts and decrypts the examples in S3 with it (AgentCore developer guide,
 * "Dataset encryption": writes conditioned on the dataset, reads not, as downloads through
 * presigned URLs carry no source context).
 */
function grantKey(scope: Construct, provider: DatasetsProvider, key: kms.IKey): void {
  key.grant(provider.handlerRole, ...DATASET_KEY_CALLER_ACTIONS);
  const stack = Stack.of(scope);
  const datasets = stack.formatArn({ service: 'bedrock-agentcore', resource: 'dataset', resourceName: '*' });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowAgentCoreDatasetWrite',
    principals: [new iam.ServicePrincipal(AGENTCORE_SERVICE_PRINCIPAL)],
    actions: ['kms:GenerateDataKey'],
    resources: ['*'],
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      StringLike: { 'aws:SourceArn': datasets, 'kms:EncryptionContext:aws:bedrock-agentcore:datasetArn': datasets },
    },
  }), /* allowNoOp */ true);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowAgentCoreDatasetRead',
    principals: [new iam.ServicePrincipal(AGENTCORE_SERVICE_PRINCIPAL)],
    actions: DATASET_KEY_READ_ACTIONS,
    resources: ['*'],
  }), /* allowNoOp */ true);
}
