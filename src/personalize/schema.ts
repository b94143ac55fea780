import { Duration, IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { nameFromPersonalizeArn, personalizeProvider, validatePersonalizeName } from './common';
import type { DatasetGroupDomain } from './dataset-group';
import { DatasetType } from './dataset-type';
import { SCHEMA_HANDLER_ACTIONS, SCHEMA_READ_ACTIONS } from './perms';
import { SchemaDefinition, SchemaField } from './schema-field';
import { checkDomainDatasetType, checkSchemaFields, MAX_SCHEMA_LENGTH } from './schema-rules';
import { addDatasetResource } from '../private/resource';
import { throwIfInvalid, validateString } from '../private/validation';

/******************************************************************************
 *                                 Interface
 *****************************************************************************/

/** An Amazon Personalize schema, made by this library or imported. */
export interface ISchema extends IResource {
  /**
   * The ARN of the schema.
   * @attribute
   */
  readonly schemaArn: string;

  /**
   * The name of the schema.
   * @attribute
   */
  readonly schemaName: string;

  /**
   * The dataset type the schema is written for.
   * @default - not known for an imported schema unless given
   */
  readonly datasetType?: DatasetType;

  /**
   * The domain of a schema for a domain dataset group.
   * @default - a custom schema, or not known for an imported one
   */
  readonly domain?: DatasetGroupDomain;

  /**
   * The schema's fields, as they are known at synth time: what other constructs check against it
   * (the header row of a local CSV file to import, say).
   * @default - not known for an imported schema, or for a definition with tokens in it
   */
  readonly fields?: SchemaFieldInfo[];

  /**
   * What happens to the schema when it leaves the stack.
   * @default - not known for an imported schema
   */
  readonly removalPolicy?: RemovalPolicy;

  /** Grants the given actions on this schema. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /** Grants reading this schema (DescribeSchema). */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/******************************************************************************
 *                                 Base class
 *****************************************************************************/

/** A field of a schema, as the schema resolved it at synth time. */
export interface SchemaFieldInfo {
  /** The field's name. */
  readonly name: string;
  /** The field's Avro types, `null` aside (one for a valid field), e.g. `string`. */
  readonly types: string[];
  /** Whether the field may be null (its type is a union with `null`). */
  readonly optional: boolean;
  /** Whether the field is categorical. */
  readonly categorical: boolean;
  /** Whether the field is textual (unstructured text). */
  readonly textual: boolean;
}

abstract class SchemaBase extends Resource implements ISchema {
  public abstract readonly schemaArn: string;
  public abstract readonly schemaName: string;
  public abstract readonly datasetType?: DatasetType;
  public abstract readonly domain?: DatasetGroupDomain;
  public abstract readonly fields?: SchemaFieldInfo[];
  public abstract readonly removalPolicy?: RemovalPolicy;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.schemaArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...SCHEMA_READ_ACTIONS);
  }
}

/******************************************************************************
 *                                 Props
 *****************************************************************************/

/** What every schema has, however its content is given. */
export interface SchemaOptions {
  /**
   * The dataset type the schema is for. It sets the Avro record name rendered from typed fields,
   * and the required fields and reserved keywords the schema is checked against at synth time.
   */
  readonly datasetType: DatasetType;

  /**
   * The domain of a schema for a dataset in a domain dataset group: it must be the group's
   * domain, and the schema is checked against that domain's requirements.
   * @default - a schema for a custom dataset group
   */
  readonly domain?: DatasetGroupDomain;

  /**
   * The name of the schema: a letter or digit, then letters, digits, hyphens and underscores, 1 to
   * 63 characters. Schemas cannot change: any change of the schema creates a new one, so a fixed
   * name must change together with the content.
   * @default - a unique name is generated at deploy time from the stack name and construct id
   */
  readonly schemaName?: string;

  /**
   * What happens to the schema when it leaves the stack, or is replaced by a changed one. A
   * destroyed schema under a retained dataset is an error at synth time: Personalize cannot delete
   * a schema that a dataset still uses.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a deletion waits while a dataset that is being deleted still uses the schema,
   * before it fails. At most 55 minutes.
   * @default Duration.minutes(30)
   */
  readonly waitTimeout?: Duration;
}

/** Properties of a {@link Schema}: its fields, or an Avro definition. */
export interface SchemaProps extends SchemaOptions {
  /**
   * The schema's fields, rendered as the Avro record Personalize expects. Give either `fields` or
   * `definition`.
   * @default - the fields of `definition`
   */
  readonly fields?: SchemaField[];

  /**
   * The schema's content: typed fields or an Avro JSON document. Give either `fields` or
   * `definition`.
   * @default - made from `fields`
   */
  readonly definition?: SchemaDefinition;
}

/** Properties of {@link Schema.fromAvroJson}. */
export interface AvroJsonSchemaProps extends SchemaOptions {
  /**
   * The Avro schema document: a JSON object, or its text (e.g. a file's contents), as in the
   * Personalize developer guide's schema examples.
   */
  readonly json: any;
}

/******************************************************************************
 *                                 Attributes
 *****************************************************************************/

/** Attributes of an existing schema, for {@link Schema.fromSchemaAttributes}. */
export interface SchemaAttributes {
  /** The ARN of the schema. */
  readonly schemaArn: string;

  /**
   * The dataset type the schema is for, which lets datasets that use it be checked at synth time.
   * @default - not known: datasets that use it are not checked against it
   */
  readonly datasetType?: DatasetType;

  /**
   * The domain of the schema, which lets datasets that use it be checked at synth time.
   * @default - not known: datasets that use it are not checked against a domain
   */
  readonly domain?: DatasetGroupDomain;
}

/******************************************************************************
 *                                 Class
 *****************************************************************************/

/**
 * An Amazon Personalize schema, created by a custom resource (CreateSchema is synchronous) and
 * checked at synth time against its dataset type's documented required fields and reserved
 * keywords, for custom dataset groups or for its domain. Schemas cannot change: any change
 * creates a new schema, and a dataset that uses it moves to the new one (Items and Users) in place.
 *
 * @resource Custom::PersonalizeSchema
 * @example
 * const interactions = new Schema(this, 'InteractionsSchema', {
 *   datasetType: DatasetType.INTERACTIONS,
 *   fields: [
 *     SchemaField.string('USER_ID'),
 *     SchemaField.string('ITEM_ID'),
 *     SchemaField.long('TIMESTAMP'),
 *     SchemaField.string('EVENT_TYPE'),
 *     SchemaField.string('DEVICE', { categorical: true, optional: true }),
 *   ],
 * });
 * // Avro fields are plain JSON objects.
 * const itemFields: Array<{ [key: string]: any }> = [
 *   { name: 'ITEM_ID', type: 'string' },
 *   { name: 'PRICE', type: 'float' },
 *   { name: 'CATEGORY_L1', type: 'string', categorical: true },
 * ];
 * const items = Schema.fromAvroJson(this, 'ItemsSchema', {
 *   datasetType: DatasetType.ITEMS,
 *   domain: DatasetGroupDomain.ECOMMERCE,
 *   json: {
 *     type: 'record',
 *     name: 'Items',
 *     namespace: 'com.amazonaws.personalize.schema',
 *     fields: itemFields,
 *     version: '1.0',
 *   },
 * });
 */
export class Schema extends SchemaBase {
  /** Imports a schema by its ARN. */
  public static fromSchemaArn(scope: Construct, id: string, schemaArn: string): ISchema {
    return Schema.fromSchemaAttributes(scope, id, { schemaArn });
  }

  /** Imports a schema from its attributes. */
  public static fromSchemaAttributes(scope: Construct, id: string, attrs: SchemaAttributes): ISchema {
    class Import extends SchemaBase {
      public readonly schemaArn = attrs.schemaArn;
      public readonly schemaName = nameFromPersonalizeArn(scope, attrs.schemaArn, 'schema', 'schemaArn', 'schema');
      public readonly datasetType = attrs.datasetType;
      public readonly domain = attrs.domain;
      public readonly fields = undefined;
      public readonly removalPolicy = undefined;
    }
    return new Import(scope, id, { environmentFromArn: attrs.schemaArn });
  }

  /**
   * A schema from an Avro JSON document (an object or its text), checked like typed fields.
   * Same as `new Schema(scope, id, { ...props, definition: SchemaDefinition.fromJson(json) })`.
   */
  public static fromAvroJson(scope: Construct, id: string, props: AvroJsonSchemaProps): Schema {
    const { json, ...options } = props;
    const definition = typeof json === 'string' ? SchemaDefinition.fromString(json) : SchemaDefinition.fromJson(json);
    return new Schema(scope, id, { ...options, definition });
  }

  public readonly schemaArn: string;
  public readonly schemaName: string;
  public readonly datasetType?: DatasetType;
  public readonly domain?: DatasetGroupDomain;
  /**
   * The removal policy of the schema: always set for a schema defined in this app (optional only
   * because ISchema leaves it unknown for an imported one).
   */
  public readonly removalPolicy?: RemovalPolicy;
  public readonly fields?: SchemaFieldInfo[];

  /**
   * @param scope the scope in which to define this construct
   * @param id the scoped construct id, unique within the scope
   * @param props the construct's properties
   */
  constructor(scope: Construct, id: string, props: SchemaProps) {
    super(scope, id);
    const { datasetType, domain } = props;
    const errors = [
      ...validatePersonalizeName(props.schemaName, 'schemaName'),
      ...validateString(datasetType.value, { property: 'datasetType', minLength: 1 }),
      ...checkDomainDatasetType(datasetType.key, datasetType.value, domain, 'datasetType'),
    ];
    if (props.fields && props.definition) errors.push('fields and definition are both given; give the schema\'s content once');
    if (!props.fields && !props.definition) errors.push('the schema has no content: give its fields, or its definition');
    throwIfInvalid(this, errors);

    const resolved = (props.definition ?? SchemaDefinition.fromFields(props.fields!))._resolve(datasetType);
    errors.push(...resolved.errors);
    if (resolved.fields) {
      errors.push(...checkSchemaFields({ fields: resolved.fields, typeKey: datasetType.key, typeValue: datasetType.value, domain }));
    }
    this.fields = resolved.fields && !resolved.fields.some((f) => Token.isUnresolved(f.name))
      ? resolved.fields.map((f) => ({ name: f.name, types: [...f.types], optional: f.nullable, categorical: f.categorical, textual: f.textual }))
      : undefined;
    const json = resolved.text ?? this.toJson(resolved.document);
    if (!Token.isUnresolved(json) && json.length > MAX_SCHEMA_LENGTH) {
      errors.push(`the schema JSON is ${json.length} characters long; CreateSchema takes at most ${MAX_SCHEMA_LENGTH}`);
    }
    throwIfInvalid(this, errors);

    this.datasetType = datasetType;
    this.domain = domain;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.removalPolicy = removalPolicy;

    // Schemas cannot be tagged (CreateSchema takes no tags): the handler gets no tagging actions on them.
    personalizeProvider(this, 'schema', SCHEMA_HANDLER_ACTIONS, /* taggable */ false);
    const { resource, attributes } = addDatasetResource(this, {
      resource: 'Schema',
      properties: {
        Name: props.schemaName,
        // CloudFormation passes resource properties as strings: the schema goes as its JSON text.
        Schema: json,
        Domain: domain,
      },
      removalPolicy,
      waitTimeout: props.waitTimeout,
    });

    this.schemaArn = resource.ref;
    this.schemaName = props.schemaName ?? resource.getAttString(attributes.SchemaName);
  }

  /** The document as JSON text; documents with tokens in them are rendered by CloudFormation. */
  private toJson(document: unknown): string {
    const plain = JSON.stringify(document);
    return Token.isUnresolved(plain) ? Stack.of(this).toJsonString(document) : plain;
  }
}
