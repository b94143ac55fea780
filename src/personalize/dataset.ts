import { CustomResource, Duration, Fn, IResource, ITaggableV2, RemovalPolicy, Resource, TagManager, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PERSONALIZE_TAG_RULES, personalizeProvider, validatePersonalizeName } from './common';
import type { IDatasetGroup } from './dataset-group';
import { DatasetImport, DatasetImportOptions } from './dataset-import';
import { DatasetType } from './dataset-type';
import {
  DATASET_GROUP_OF_DATASET_ACTIONS, DATASET_HANDLER_ACTIONS, DATASET_READ_ACTIONS, DATASET_SCHEMA_HANDLER_ACTIONS, PUT_RECORDS_ACTIONS,
} from './perms';
import type { ISchema } from './schema';
import { checkDomainDatasetType } from './schema-rules';
import { attributeNames } from '../contract';
import { AppRegistry } from '../private/app-registry';
import { addDatasetResource, newTagManager, retainedOnDelete } from '../private/resource';
import { throwIfInvalid, validateString } from '../private/validation';

/******************************************************************************
 *                                 Constants
 *****************************************************************************/
/** arn:<partition>:personalize:<region>:<account>:dataset/<dataset group name>/<DATASET_TYPE> */
const DATASET_ARN = /^arn:[\w-]+:personalize:[\w-]+:\d{12}:dataset\/[a-zA-Z0-9][a-zA-Z0-9\-_]*\/[A-Za-z_]+$/;
const ATTRIBUTES = attributeNames('Dataset');
/** The datasets of each app by their group's ARN, for the one-of-each-type check. */
const DATASETS = new AppRegistry<Dataset>();

/******************************************************************************
 *                                 Interface
 *****************************************************************************/

/** An Amazon Personalize dataset, made by this library or imported. */
export interface IDataset extends IResource {
  /**
   * The ARN of the dataset.
   * @attribute
   */
  readonly datasetArn: string;

  /** The type of the dataset. */
  readonly datasetType: DatasetType;

  /** Grants the given actions on this dataset. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /** Grants reading this dataset's description and tags. */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants writing records into this dataset: PutItems, PutUsers or PutActions, whichever its type
   * takes. Interactions go through an event tracker instead (PutEvents, PutActionInteractions).
   */
  grantPutRecords(grantee: iam.IGrantable): iam.Grant;
}

/******************************************************************************
 *                                 Base class
 *****************************************************************************/

abstract class DatasetBase extends Resource implements IDataset {
  public abstract readonly datasetArn: string;
  public abstract readonly datasetType: DatasetType;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.datasetArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...DATASET_READ_ACTIONS);
  }

  /**
   * Grants writing records into this dataset, on the dataset's ARN: `personalize:PutItems` for an
   * Items dataset, `PutUsers` for Users, `PutActions` for Actions. Interactions and Action
   * interactions datasets take their records through an event tracker instead: grant
   * `EventTracker.grantPutEvents` (PutEvents) or `grantPutActionInteractions`.
   */
  public grantPutRecords(grantee: iam.IGrantable): iam.Grant {
    const action = PUT_RECORDS_ACTIONS[this.datasetType.key];
    if (!action) throwIfInvalid(this, [putRecordsRefusal(this.datasetType)]);
    return this.grant(grantee, action);
  }
}

/******************************************************************************
 *                                 Props
 *****************************************************************************/

/** Options of a dataset added to a group with {@link DatasetGroup.addDataset}. */
export interface DatasetOptions {
  /** The dataset's type. A dataset group holds at most one dataset of each type. */
  readonly datasetType: DatasetType;

  /**
   * The schema of the dataset's data. Its dataset type, and its domain, must be the dataset's and
   * its group's. Changing the schema of an Items or Users dataset is applied in place
   * (UpdateDataset: the new schema must keep every field of the old one, and new fields must be
   * optional); Personalize cannot change the schema of other dataset types, so that fails the
   * deployment before anything changes.
   */
  readonly schema: ISchema;

  /**
   * The name of the dataset: a letter or digit, then letters, digits, hyphens and underscores, 1
   * to 63 characters.
   * @default - a unique name is generated at deploy time from the stack name and construct id
   */
  readonly datasetName?: string;

  /**
   * What happens to the dataset, and its data, when it leaves the stack. A retained dataset in a
   * destroyed group is an error at synth time: Personalize cannot delete a group that still holds
   * a dataset.
   * @default - the group's removal policy for a group defined in this app, otherwise RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a deployment waits for the dataset to become ACTIVE (or for a schema change to
   * finish), or to be gone after deletion (an import job that is running delays it), before it
   * fails. At most 55 minutes.
   * @default Duration.minutes(30)
   */
  readonly waitTimeout?: Duration;

  /**
   * Data to import into the dataset once it is ACTIVE, with a dataset import job (its own custom
   * resource, `Custom::PersonalizeDatasetImport`): CSV files in S3 or a local CSV file, whose
   * header row is then checked against the schema at synth time. A new source runs a new import
   * job on the next deployment (the dataset keeps its ARN); an unchanged one runs none. Deleting
   * the dataset waits while its import job runs.
   * @default - no data is imported
   */
  readonly dataImport?: DatasetImportOptions;
}

/** Properties of a {@link Dataset}. */
export interface DatasetProps extends DatasetOptions {
  /** The dataset group the dataset belongs to. It is created after the group is ACTIVE. */
  readonly datasetGroup: IDatasetGroup;
}

/******************************************************************************
 *                                 Attributes
 *****************************************************************************/

/** Attributes of an existing dataset, for {@link Dataset.fromDatasetAttributes}. */
export interface DatasetAttributes {
  /** The ARN of the dataset: arn:<partition>:personalize:<region>:<account>:dataset/<group name>/<TYPE>. */
  readonly datasetArn: string;

  /**
   * The type of the dataset.
   * @default - read from the ARN's last part
   */
  readonly datasetType?: DatasetType;
}

/******************************************************************************
 *                                 Class
 *****************************************************************************/

/**
 * An Amazon Personalize dataset, created in its group once the group is ACTIVE and waited for
 * until ACTIVE. Tags and the schema of Items and Users datasets change in place; a change of name,
 * type or group replaces the dataset.
 *
 * @resource Custom::PersonalizeDataset
 * @example
 * declare const group: DatasetGroup;
 * declare const interactionsSchema: Schema;
 * declare const reader: iam.IRole;
 * const interactions = group.addDataset('Interactions', {
 *   datasetType: DatasetType.INTERACTIONS,
 *   schema: interactionsSchema,
 * });
 * interactions.grantRead(reader);
 */
export class Dataset extends DatasetBase implements ITaggableV2 {
  /** Imports a dataset by its ARN; the dataset type is read from the ARN. */
  public static fromDatasetArn(scope: Construct, id: string, datasetArn: string): IDataset {
    return Dataset.fromDatasetAttributes(scope, id, { datasetArn });
  }

  /** Imports a dataset from its attributes. */
  public static fromDatasetAttributes(scope: Construct, id: string, attrs: DatasetAttributes): IDataset {
    if (!Token.isUnresolved(attrs.datasetArn) && !DATASET_ARN.test(attrs.datasetArn)) {
      throwIfInvalid(scope, [`datasetArn "${attrs.datasetArn}" is not a Personalize dataset ARN ` +
        '(arn:<partition>:personalize:<region>:<account>:dataset/<dataset group name>/<TYPE>)']);
    }
    const typeFromArn = () => DatasetType.of(Token.isUnresolved(attrs.datasetArn)
      ? Fn.select(2, Fn.split('/', attrs.datasetArn))
      : attrs.datasetArn.split('/')[2]);
    class Import extends DatasetBase {
      public readonly datasetArn = attrs.datasetArn;
      public readonly datasetType = attrs.datasetType ?? typeFromArn();
    }
    return new Import(scope, id, { environmentFromArn: attrs.datasetArn });
  }

  public readonly datasetType: DatasetType;
  /** The dataset group the dataset belongs to. */
  public readonly datasetGroup: IDatasetGroup;
  /** The dataset's schema. */
  public readonly schema: ISchema;
  /** The removal policy of the dataset. */
  public readonly removalPolicy: RemovalPolicy;
  /**
   * The ARN of the latest import job, when the dataset imports data (`dataImport`). Each new import
   * is a new job with a new ARN; follow it with DescribeDatasetImportJob when the deployment does
   * not wait for it.
   * @attribute
   */
  public readonly importJobArn?: string;
  public readonly cdkTagManager: TagManager;
  /** The custom resource, which the ARN and a generated name are taken from when first asked for. */
  private readonly resource: CustomResource;
  /** The name given in the props, or the custom resource's attribute once it has been asked for. */
  private name?: string;

  /**
   * @param scope the scope in which to define this construct
   * @param id the scoped construct id, unique within the scope
   * @param props the construct's properties
   */
  constructor(scope: Construct, id: string, props: DatasetProps) {
    super(scope, id);
    const { datasetGroup: group, schema, datasetType } = props;
    const groupDomain = { known: group.domain !== undefined || group.removalPolicy !== undefined, domain: group.domain };
    throwIfInvalid(this, [
      ...validatePersonalizeName(props.datasetName, 'datasetName'),
      ...validateString(datasetType.value, { property: 'datasetType', minLength: 1 }),
      ...(groupDomain.domain ? checkDomainDatasetType(datasetType.key, datasetType.value, groupDomain.domain, 'datasetType') : []),
      ...matchSchema(datasetType, schema, group, groupDomain),
    ]);

    this.datasetGroup = group;
    this.datasetType = datasetType;
    this.schema = schema;
    this.removalPolicy = props.removalPolicy ?? group.removalPolicy ?? RemovalPolicy.RETAIN;
    this.cdkTagManager = newTagManager('Dataset');

    personalizeProvider(this, 'dataset', DATASET_HANDLER_ACTIONS);
    // CreateDataset is authorized against the new dataset and its dataset group. The group's ARN is
    // known only once the provider has made it, so the grant names the resource type, as the others do.
    personalizeProvider(this, 'dataset-group', DATASET_GROUP_OF_DATASET_ACTIONS);
    // On a schema change of a type whose schema cannot be replaced: is the new schema the one in use?
    personalizeProvider(this, 'schema', DATASET_SCHEMA_HANDLER_ACTIONS, /* taggable */ false);
    // The group's and the schema's ARNs are references: the dataset is created after the group is
    // ACTIVE and the schema exists, and deleted before them.
    const { resource } = addDatasetResource(this, {
      resource: 'Dataset',
      properties: {
        Name: props.datasetName,
        DatasetGroupArn: group.datasetGroupArn,
        DatasetType: datasetType.value,
        SchemaArn: schema.schemaArn,
      },
      removalPolicy: this.removalPolicy,
      tags: { manager: this.cdkTagManager, rules: PERSONALIZE_TAG_RULES },
      waitTimeout: props.waitTimeout,
    });

    this.resource = resource;
    this.name = props.datasetName;

    if (props.dataImport) {
      // Its DatasetArn is a reference: the import job is created once the dataset is ACTIVE, and
      // (being deleted first) the dataset is deleted only once the job has finished.
      this.importJobArn = new DatasetImport(this, 'Import', {
        ...props.dataImport,
        datasetArn: this.datasetArn,
        schema,
        groupEncryptionKey: group.encryptionKey,
      }).importJobArn;
    }

    DATASETS.register(this, group.datasetGroupArn);
    // Both checks need the whole app (other datasets; removal policies that aspects may change).
    this.node.addValidation({ validate: () => [...this.oneOfEachType(), ...this.deletableMixture()] });
  }

  // The ARN (a Ref) and a generated name (a GetAtt) are tokens made when first asked for: most
  // datasets of an app are never referred to.
  public get datasetArn(): string {
    return this.resource.ref;
  }

  /**
   * The name of the dataset.
   * @attribute
   */
  public get datasetName(): string {
    this.name ??= this.resource.getAttString(ATTRIBUTES.DatasetName);
    return this.name;
  }

  /** A dataset group holds at most one dataset of each type. */
  private oneOfEachType(): string[] {
    // The group's other datasets first; the tree is searched (for its order) only on a clash.
    const sameGroup = DATASETS.withKey(this, this.datasetGroup.datasetGroupArn);
    if (sameGroup.length < 2 || sameGroup.filter((c) => c.datasetType.matches(this.datasetType)).length < 2) return [];
    const sameSlot = this.node.root.node.findAll().filter((c): c is Dataset => c instanceof Dataset
      && c.datasetGroup.datasetGroupArn === this.datasetGroup.datasetGroupArn && c.datasetType.matches(this.datasetType));
    if (sameSlot.length < 2 || sameSlot[0] === this) return [];
    return [`datasetType ${this.datasetType.value}: dataset group ${this.datasetGroup.node.path} already has a ${this.datasetType.value} ` +
      `dataset, ${sameSlot[0].node.path}, and this is another one (${this.node.path}); a dataset group holds at most one dataset of each type`];
  }

  /** A retained dataset keeps its group and its schema from being deleted. */
  private deletableMixture(): string[] {
    if (!retainedOnDelete(this)) return [];
    const errors: string[] = [];
    if (retainedOnDelete(this.datasetGroup) === false) {
      errors.push(`removalPolicy: this dataset is retained but its dataset group ${this.datasetGroup.node.path} is destroyed; ` +
        'Personalize cannot delete a dataset group that still holds a dataset, so deleting the group would fail. ' +
        'Destroy the dataset with its group (omit removalPolicy to take the group\'s), or retain the group');
    }
    if (retainedOnDelete(this.schema) === false) {
      errors.push(`removalPolicy: this dataset is retained but its schema ${this.schema.node.path} is destroyed; ` +
        'Personalize cannot delete a schema that a dataset still uses, so deleting the schema would fail. ' +
        'Retain the schema too, or destroy the dataset');
    }
    return errors;
  }
}

/** The schema must be written for the dataset's type and for the group's domain. */
function matchSchema(datasetType: DatasetType, schema: ISchema, group: IDatasetGroup, groupDomain: { known: boolean; domain?: string }): string[] {
  const errors: string[] = [];
  // The same DatasetType object (the usual case: both name the constant) matches without a look at its value.
  if (schema.datasetType && schema.datasetType !== datasetType && !Token.isUnresolved(schema.datasetType.value)
    && !Token.isUnresolved(datasetType.value) && !schema.datasetType.matches(datasetType)) {
    errors.push(`datasetType ${datasetType.value} does not match schema ${schema.node.path}, which is for ${schema.datasetType.value} datasets; ` +
      'a dataset\'s schema must be written for its type');
  }
  // A schema or group defined in this app knows its domain (none: custom); an imported one only when given.
  const schemaDomain = { known: schema.domain !== undefined || schema.removalPolicy !== undefined, domain: schema.domain };
  if (schemaDomain.known && groupDomain.known && schemaDomain.domain !== groupDomain.domain) {
    const kind = (d?: string) => (d ? `a ${d} domain` : 'a custom');
    errors.push(`schema ${schema.node.path} is ${kind(schemaDomain.domain)} schema but dataset group ${group.node.path} is ` +
      `${kind(groupDomain.domain)} dataset group; a dataset's schema must have its group's domain ` +
      `(${groupDomain.domain ? `domain: DatasetGroupDomain.${groupDomain.domain}` : 'no domain'})`);
  }
  return errors;
}

/** Why a dataset of this type takes no PutItems, PutUsers or PutActions records, and what to do instead. */
function putRecordsRefusal(type: DatasetType): string {
  if (Token.isUnresolved(type.value)) {
    return 'grantPutRecords: the dataset\'s type is not known at synth time (it is read from a token ARN), so the action ' +
      '(PutItems, PutUsers or PutActions) cannot be chosen; give datasetType to Dataset.fromDatasetAttributes';
  }
  if (type.matches(DatasetType.INTERACTIONS) || type.matches(DatasetType.ACTION_INTERACTIONS)) {
    return `grantPutRecords: ${type.value} datasets take no PutItems, PutUsers or PutActions records; their interactions go ` +
      'through an event tracker: give the grantee tracker.grantPutEvents' +
      `${type.matches(DatasetType.ACTION_INTERACTIONS) ? ' or tracker.grantPutActionInteractions' : ''} instead`;
  }
  return `grantPutRecords: ${type.value} datasets take no PutItems, PutUsers or PutActions records; only Items, Users and ` +
    'Actions datasets do (grant other actions with grant)';
}
