import { Arn, ArnFormat, Duration, IResource, ITaggableV2, RemovalPolicy, Resource, TagManager, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { validateInlineExamples, validateJsonlFile } from './examples';
import {
  DATASET_KEY_CALLER_ACTIONS, DATASET_KEY_SERVICE_ACTIONS, DATASET_KEY_READ_ACTIONS, EVALUATION_DATASET_ACCOUNT_ACTIONS,
  EVALUATION_DATASET_HANDLER_ACTIONS, EVALUATION_DATASET_READ_ACTIONS, SOURCE_FILE_READ_ACTIONS,
} from './perms';
import { EvaluationSchemaType } from './schema-type';
import { EvaluationDatasetSource } from './source';
import { EVALUATION_DATASET_NAME_RULE } from '../contract';
import { addToKeyPolicy, validateEncryptionKey } from '../private/kms';
import { addDatasetResource, newTagManager } from '../private/resource';
import { TagRules, throwIfInvalid, validateString } from '../private/validation';
import { DatasetsProvider } from '../provider';

/******************************************************************************
 *                                 Constants
 *****************************************************************************/

const AGENTCORE_SERVICE_PRINCIPAL = 'bedrock-agentcore.amazonaws.com';
const ENCRYPTION_GUIDE = 'Amazon Bedrock AgentCore developer guide, "Dataset encryption"';

/** CreateDataset datasetName: a letter, then letters, digits and underscores; 1 to 48 characters. */
const NAME_RULE = {
  pattern: EVALUATION_DATASET_NAME_RULE.pattern,
  patternText: EVALUATION_DATASET_NAME_RULE.patternText,
  minLength: EVALUATION_DATASET_NAME_RULE.minLength,
  maxLength: EVALUATION_DATASET_NAME_RULE.maxLength,
};

type SourceConfig = ReturnType<EvaluationDatasetSource['_bind']>;

/** CreateDataset description: at most 200 characters. */
const MAX_DESCRIPTION_LENGTH = 200;

/**
 * CreateDataset and TagResource tags: at most 50, keys of 1 to 128 and values of up to 256
 * characters of `[a-zA-Z0-9\s._:/=+@-]`. One is the library's ownership tag.
 */
const TAG_PATTERN = /^[a-zA-Z0-9\s._:/=+@-]*$/;
const TAG_RULES: TagRules = { maxTags: 49, keyPattern: TAG_PATTERN, valuePattern: TAG_PATTERN, maxKeyLength: 128, maxValueLength: 256 };

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
  readonly evaluationDatasetName?: string;

  /**
   * The name of the dataset.
   * @deprecated use `evaluationDatasetName`, which names it as the `evaluationDatasetName` attribute does
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
   * place, or to be gone after deletion, before it fails. At most 55 minutes.
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
    const name = props.evaluationDatasetName ?? props.datasetName;
    throwIfInvalid(this, [
      ...(props.evaluationDatasetName !== undefined && props.datasetName !== undefined
        ? ['evaluationDatasetName and datasetName (its deprecated alias) are both given; give evaluationDatasetName only'] : []),
      ...validateString(name, { property: props.evaluationDatasetName !== undefined ? 'evaluationDatasetName' : 'datasetName', ...NAME_RULE }),
      ...validateString(props.description, { property: 'description', maxLength: MAX_DESCRIPTION_LENGTH }),
      ...validateString(props.schemaType.value, { property: 'schemaType', minLength: 1 }),
      ...validateEncryptionKey(this, props.encryptionKey, 'encryptionKey', 'AgentCore'),
    ]);
    const source = props.source._bind(this);
    throwIfInvalid(this, validateSource(props.schemaType.value, source));

    this.schemaType = props.schemaType;
    this.encryptionKey = props.encryptionKey;
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.cdkTagManager = newTagManager('EvaluationDataset');

    const provider = DatasetsProvider.of(this);
    provider._grantOnResourceType('bedrock-agentcore', 'dataset', EVALUATION_DATASET_HANDLER_ACTIONS, () =>
      'Dataset ids are made by AgentCore when the dataset is created, so the handler may act on any dataset of this ' +
      'account and region; it only changes datasets the stack created (ownership tag).');
    provider._grantOnAnyResource(EVALUATION_DATASET_ACCOUNT_ACTIONS, 'The Service Authorization Reference gives ' +
      'bedrock-agentcore:CreateDataset and ListDatasets no resource type (no dataset ARN exists before CreateDataset), and ' +
      'lists no dataset resource type for TagResource and UntagResource: IAM can only allow these on "*". Every other ' +
      'dataset action is scoped to this account and region\'s dataset ARNs.');
    if (source.bucket) {
      // The service reads the file with the caller's credentials (forward access sessions), and the
      // handler reads it itself when an update changes the source.
      provider._grant(new iam.PolicyStatement({ actions: SOURCE_FILE_READ_ACTIONS, resources: [source.bucket.arnForObjects(source.objectKey!)] }));
      source.bucket.encryptionKey?.grant(provider.handlerRole, 'kms:Decrypt');
    }
    if (props.encryptionKey) grantKey(this, provider, props.encryptionKey);

    const { resource, attributes } = addDatasetResource(this, {
      resource: 'EvaluationDataset',
      properties: {
        DatasetName: name,
        Description: props.description,
        SchemaType: props.schemaType.value,
        KmsKeyArn: props.encryptionKey?.keyArn,
        InlineExamples: source.inlineExamples,
        S3Uri: source.bucket ? `s3://${source.bucket.bucketName}/${source.objectKey}` : undefined,
      },
      removalPolicy: this.removalPolicy,
      tags: { manager: this.cdkTagManager, rules: TAG_RULES },
      waitTimeout: props.waitTimeout,
    });
    // AgentCore checks the key (with its policy) when it creates the dataset.
    if (props.encryptionKey) resource.node.addDependency(props.encryptionKey);

    this.evaluationDatasetArn = resource.ref;
    this.evaluationDatasetId = resource.getAttString(attributes.EvaluationDatasetId);
    this.evaluationDatasetName = name ?? resource.getAttString(attributes.EvaluationDatasetName);
    this.evaluationDatasetVersion = resource.getAttString(attributes.DatasetVersion);
  }
}

function validateSource(schemaType: string, source: SourceConfig): string[] {
  if (source.inlineExamples) return validateInlineExamples(schemaType, source.inlineExamples);
  if (source.localFile) return validateJsonlFile(schemaType, source.localFile);
  return [];
}

/**
 * The handler creates the dataset, so it needs what the caller of CreateDataset needs on the key
 * (AllowCallerAccess); AgentCore encrypts and decrypts the examples in S3 with it, which the key
 * policy allows as the developer guide's "Required key policy" has it (AllowAgentCoreDatasetAccess,
 * without conditions: the guide documents none that AgentCore's S3 calls are known to carry).
 */
function grantKey(scope: Construct, provider: DatasetsProvider, key: kms.IKey): void {
  key.grant(provider.handlerRole, ...DATASET_KEY_CALLER_ACTIONS);
  addToKeyPolicy(scope, key, new iam.PolicyStatement({
    sid: 'AllowAgentCoreDatasetAccess',
    principals: [new iam.ServicePrincipal(AGENTCORE_SERVICE_PRINCIPAL)],
    actions: DATASET_KEY_SERVICE_ACTIONS,
    resources: ['*'],
  }), {
    id: 'cdk-datasets:agentcore-dataset-key-policy',
    what: `AgentCore needs the key policy to allow the service principal ${AGENTCORE_SERVICE_PRINCIPAL} ${DATASET_KEY_SERVICE_ACTIONS.join(', ')}`,
    source: ENCRYPTION_GUIDE,
  });
}
