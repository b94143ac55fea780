import { CustomResource, Duration, IResource, ITaggableV2, RemovalPolicy, Resource, Stack, TagManager } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { nameFromPersonalizeArn, PERSONALIZE_TAG_RULES, personalizeProvider, validatePersonalizeName } from './common';
import { Dataset, DatasetOptions } from './dataset';
import { EventTracker, EventTrackerOptions } from './event-tracker';
import { DATASET_GROUP_HANDLER_ACTIONS, DATASET_GROUP_READ_ACTIONS, PERSONALIZE_KMS_ACTIONS } from './perms';
import { attributeNames } from '../contract';
import { addToKeyPolicy, validateEncryptionKey } from '../private/kms';
import { addDatasetResource, newTagManager } from '../private/resource';
import { throwIfInvalid } from '../private/validation';

/******************************************************************************
 *                                 Constants
 *****************************************************************************/

const PERSONALIZE_SERVICE_PRINCIPAL = 'personalize.amazonaws.com';
const KEY_ACCESS_GUIDE = 'Amazon Personalize developer guide, "Giving Amazon Personalize permission to use your AWS KMS key"';
const ATTRIBUTES = attributeNames('DatasetGroup');

/**
 * The domain of a domain dataset group: its datasets, schemas and recommenders are those of the
 * domain's use cases.
 */
export enum DatasetGroupDomain {
  /** Retail: recommenders for e-commerce use cases. */
  ECOMMERCE = 'ECOMMERCE',
  /** Video on demand: recommenders for streaming use cases. */
  VIDEO_ON_DEMAND = 'VIDEO_ON_DEMAND',
}

/******************************************************************************
 *                                 Interface
 *****************************************************************************/

/** An Amazon Personalize dataset group, made by this library or imported. */
export interface IDatasetGroup extends IResource {
  /**
   * The ARN of the dataset group.
   * @attribute
   */
  readonly datasetGroupArn: string;

  /**
   * The name of the dataset group.
   * @attribute
   */
  readonly datasetGroupName: string;

  /**
   * The domain of the dataset group.
   * @default - a custom dataset group, or not known for an imported one
   */
  readonly domain?: DatasetGroupDomain;

  /**
   * The KMS key the group's data is encrypted with: its datasets' imports are given access to it.
   * @default - a key owned by Personalize, or not known for an imported group
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the group when it leaves the stack; datasets and trackers added to it take it.
   * @default - not known for an imported group
   */
  readonly removalPolicy?: RemovalPolicy;

  /** Grants the given actions on this dataset group. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /** Grants reading this dataset group's description and tags. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/******************************************************************************
 *                                 Base class
 *****************************************************************************/

abstract class DatasetGroupBase extends Resource implements IDatasetGroup {
  public abstract readonly datasetGroupArn: string;
  public abstract readonly datasetGroupName: string;
  public abstract readonly domain?: DatasetGroupDomain;
  public abstract readonly encryptionKey?: kms.IKey;
  public abstract readonly removalPolicy?: RemovalPolicy;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.datasetGroupArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...DATASET_GROUP_READ_ACTIONS);
  }
}

/******************************************************************************
 *                                 Props
 *****************************************************************************/

/** Properties of a {@link DatasetGroup}. */
export interface DatasetGroupProps {
  /**
   * The name of the dataset group: a letter or digit, then letters, digits, hyphens and
   * underscores, 1 to 63 characters. A fixed name cannot be kept across a replacement, so a change
   * that replaces the group (domain, key, role) must come with a new name or none.
   * @default - a unique name is generated at deploy time from the stack name and construct id
   */
  readonly datasetGroupName?: string;

  /**
   * The domain of a domain dataset group.
   * @default - a custom dataset group
   */
  readonly domain?: DatasetGroupDomain;

  /**
   * A customer managed KMS key that Personalize encrypts the group's data with. A role that
   * Personalize assumes is created with the key permissions it needs (unless `role` is given),
   * and the key policy admits `personalize.amazonaws.com` (for keys defined in this app).
   * @default - data is encrypted with a key owned by Personalize
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The role Personalize assumes to use `encryptionKey`. It is granted the key permissions
   * Personalize needs. Only allowed together with `encryptionKey`.
   * @default - a role is created when `encryptionKey` is given
   */
  readonly role?: iam.IRole;

  /**
   * What happens to the dataset group when it leaves the stack. Dataset groups hold data, so like
   * other stateful resources they are retained unless you say otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a deployment waits for the group to become ACTIVE, or to be gone after deletion,
   * before it fails. At most 55 minutes.
   * @default Duration.minutes(30)
   */
  readonly waitTimeout?: Duration;
}

/******************************************************************************
 *                                 Attributes
 *****************************************************************************/

/** Attributes of an existing dataset group, for {@link DatasetGroup.fromDatasetGroupAttributes}. */
export interface DatasetGroupAttributes {
  /** The ARN of the dataset group. */
  readonly datasetGroupArn: string;

  /**
   * The domain of the dataset group, which lets datasets added to it be checked at synth time.
   * @default - not known: datasets in it are not checked against a domain
   */
  readonly domain?: DatasetGroupDomain;

  /**
   * The KMS key the group's data is encrypted with, so that imports into its datasets are given
   * access to it.
   * @default - not known: imports are not given access to a key
   */
  readonly encryptionKey?: kms.IKey;
}

/******************************************************************************
 *                                 Class
 *****************************************************************************/

/**
 * An Amazon Personalize dataset group, created and deleted by a custom resource that waits until
 * the group is ACTIVE (or gone). Tags are updated in place; other changes replace the group.
 *
 * @resource Custom::PersonalizeDatasetGroup
 * @example
 * declare const key: kms.IKey;
 * const group = new DatasetGroup(this, 'Retail', { encryptionKey: key });
 * const video = new DatasetGroup(this, 'Video', { domain: DatasetGroupDomain.VIDEO_ON_DEMAND });
 */
export class DatasetGroup extends DatasetGroupBase implements ITaggableV2 {
  /** Imports a dataset group by its ARN. */
  public static fromDatasetGroupArn(scope: Construct, id: string, datasetGroupArn: string): IDatasetGroup {
    return DatasetGroup.fromDatasetGroupAttributes(scope, id, { datasetGroupArn });
  }

  /** Imports a dataset group from its attributes. */
  public static fromDatasetGroupAttributes(scope: Construct, id: string, attrs: DatasetGroupAttributes): IDatasetGroup {
    class Import extends DatasetGroupBase {
      public readonly datasetGroupArn = attrs.datasetGroupArn;
      public readonly datasetGroupName = nameFromPersonalizeArn(scope, attrs.datasetGroupArn, 'dataset-group', 'datasetGroupArn', 'dataset group');
      public readonly domain = attrs.domain;
      public readonly encryptionKey = attrs.encryptionKey;
      public readonly removalPolicy = undefined;
    }
    return new Import(scope, id, { environmentFromArn: attrs.datasetGroupArn });
  }

  public readonly datasetGroupArn: string;
  public readonly domain?: DatasetGroupDomain;
  /** The KMS key the group's data is encrypted with, if any. */
  public readonly encryptionKey?: kms.IKey;
  /** The role Personalize assumes to use the key, if any. */
  public readonly role?: iam.IRole;
  /**
   * The removal policy of the group; datasets and trackers added to it take it too. Always set for
   * a group defined in this app (optional only because IDatasetGroup leaves it unknown for an
   * imported one).
   */
  public readonly removalPolicy?: RemovalPolicy;
  public readonly cdkTagManager: TagManager;
  /** The custom resource, which a generated name is taken from when first asked for. */
  private readonly resource: CustomResource;
  /** The name given in the props, or the custom resource's attribute once it has been asked for. */
  private name?: string;

  /**
   * @param scope the scope in which to define this construct
   * @param id the scoped construct id, unique within the scope
   * @param props the construct's properties
   */
  constructor(scope: Construct, id: string, props: DatasetGroupProps = {}) {
    super(scope, id);
    throwIfInvalid(this, [
      ...validatePersonalizeName(props.datasetGroupName, 'datasetGroupName'),
      ...validateEncryptionKey(this, props.encryptionKey, 'encryptionKey', 'Personalize'),
      ...(props.role && !props.encryptionKey
        ? ['role is only used to give Personalize access to encryptionKey; set encryptionKey too, or remove role']
        : []),
    ]);

    this.domain = props.domain;
    this.encryptionKey = props.encryptionKey;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.removalPolicy = removalPolicy;
    this.cdkTagManager = newTagManager('DatasetGroup');

    const provider = personalizeProvider(this, 'dataset-group', DATASET_GROUP_HANDLER_ACTIONS);
    if (props.encryptionKey) {
      const stack = Stack.of(this);
      // Confused deputy prevention, as the developer guide's trust policy has it.
      this.role = props.role ?? new iam.Role(this, 'PersonalizeRole', {
        assumedBy: new iam.ServicePrincipal(PERSONALIZE_SERVICE_PRINCIPAL).withConditions({
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'personalize', resource: '*' }) },
        }),
        description: `Lets Amazon Personalize use the KMS key of dataset group ${this.node.path}`,
      });
      props.encryptionKey.grant(this.role, ...PERSONALIZE_KMS_ACTIONS);
      // The developer guide's key policy: Personalize itself may use the key, without conditions.
      addToKeyPolicy(this, props.encryptionKey, new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(PERSONALIZE_SERVICE_PRINCIPAL)],
        actions: PERSONALIZE_KMS_ACTIONS,
        resources: ['*'],
      }), {
        id: 'cdk-datasets:personalize-group-key-policy',
        what: `Personalize needs the key policy to allow the service principal ${PERSONALIZE_SERVICE_PRINCIPAL} and the ` +
          `role it is given ${PERSONALIZE_KMS_ACTIONS.join(', ')}`,
        source: KEY_ACCESS_GUIDE,
      });
      // CreateDatasetGroup hands the role to Personalize.
      provider._grant(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': PERSONALIZE_SERVICE_PRINCIPAL } },
      }));
    }

    const { resource } = addDatasetResource(this, {
      resource: 'DatasetGroup',
      properties: {
        Name: props.datasetGroupName,
        Domain: props.domain,
        KmsKeyArn: props.encryptionKey?.keyArn,
        RoleArn: this.role?.roleArn,
      },
      removalPolicy,
      tags: { manager: this.cdkTagManager, rules: PERSONALIZE_TAG_RULES },
      waitTimeout: props.waitTimeout,
    });
    // Personalize checks the role and the key when it creates the group: both must be complete first.
    if (this.role) resource.node.addDependency(this.role);
    if (props.encryptionKey) resource.node.addDependency(props.encryptionKey);

    this.datasetGroupArn = resource.ref;
    this.resource = resource;
    this.name = props.datasetGroupName;
  }

  public get datasetGroupName(): string {
    // A generated name is a GetAtt token, made when first asked for: most groups are only referred to by ARN.
    this.name ??= this.resource.getAttString(ATTRIBUTES.DatasetGroupName);
    return this.name;
  }

  /**
   * Adds a dataset to this group, as a child of the group. It takes the group's removal policy
   * unless its own is given. Same as `new Dataset(scope, id, { datasetGroup: this, ...options })`.
   */
  public addDataset(id: string, options: DatasetOptions): Dataset {
    return new Dataset(this, id, { ...options, datasetGroup: this });
  }

  /**
   * Adds an event tracker to this group, as a child of the group: what applications send live
   * interactions through (PutEvents). A group holds one tracker. It takes the group's removal
   * policy unless its own is given. Same as `new EventTracker(scope, id, { datasetGroup: this, ...options })`.
   */
  public addEventTracker(id: string, options: EventTrackerOptions = {}): EventTracker {
    return new EventTracker(this, id, { ...options, datasetGroup: this });
  }
}
