import { Token } from 'aws-cdk-lib';
import { DatasetType } from './dataset-type';
import { FieldFacts, parseAvroDocument, recordNameFor, ResolvedSchema } from './schema-rules';

/** The Avro primitive types a Personalize schema field can have. */
export enum SchemaFieldType {
  /** A string: IDs, categorical and textual data, lists of values separated by `|`. */
  STRING = 'string',
  /** A 32-bit signed integer. */
  INT = 'int',
  /** A 64-bit signed integer, e.g. a Unix epoch timestamp in seconds. */
  LONG = 'long',
  /** A single-precision floating-point number. */
  FLOAT = 'float',
  /** A double-precision floating-point number. */
  DOUBLE = 'double',
  /** A boolean. Personalize does not use boolean data for training or filtering; use a string or 0/1 instead. */
  BOOLEAN = 'boolean',
}

/** Options of any schema field. */
export interface SchemaFieldOptions {
  /**
   * Whether the field can be empty: its Avro type becomes a union with `null` (`["string", "null"]`).
   * Required fields of a dataset type cannot be optional.
   * @default false
   */
  readonly optional?: boolean;
}

/** Options of a string field. */
export interface StringFieldOptions extends SchemaFieldOptions {
  /**
   * Whether the field holds categorical data (`"categorical": true`), e.g. genres or colours,
   * several values separated by `|`. Personalize uses a metadata string field for training
   * only when it is categorical or textual.
   * @default false
   */
  readonly categorical?: boolean;

  /**
   * Whether the field holds unstructured text (`"textual": true`), e.g. a product description.
   * Only Items schemas can have a textual field, and at most one.
   * @default false
   */
  readonly textual?: boolean;
}

/**
 * A field of a Personalize schema, rendered in Avro as Personalize expects it:
 * `{ "name": "DEVICE", "type": ["string", "null"], "categorical": true }`.
 *
 * @example
 * const fields = [
 *   SchemaField.string('USER_ID'),
 *   SchemaField.string('ITEM_ID'),
 *   SchemaField.long('TIMESTAMP'),
 *   SchemaField.float('EVENT_VALUE', { optional: true }),
 *   SchemaField.string('DEVICE', { categorical: true, optional: true }),
 * ];
 */
export class SchemaField {
  /** A `string` field. */
  public static string(name: string, options: StringFieldOptions = {}): SchemaField {
    return new SchemaField(name, SchemaFieldType.STRING, options);
  }

  /** An `int` field (32-bit). */
  public static int(name: string, options: SchemaFieldOptions = {}): SchemaField {
    return new SchemaField(name, SchemaFieldType.INT, options);
  }

  /** A `long` field (64-bit), e.g. a timestamp in Unix epoch seconds. */
  public static long(name: string, options: SchemaFieldOptions = {}): SchemaField {
    return new SchemaField(name, SchemaFieldType.LONG, options);
  }

  /** A `float` field. */
  public static float(name: string, options: SchemaFieldOptions = {}): SchemaField {
    return new SchemaField(name, SchemaFieldType.FLOAT, options);
  }

  /** A `double` field. */
  public static double(name: string, options: SchemaFieldOptions = {}): SchemaField {
    return new SchemaField(name, SchemaFieldType.DOUBLE, options);
  }

  /** A `boolean` field. */
  public static boolean(name: string, options: SchemaFieldOptions = {}): SchemaField {
    return new SchemaField(name, SchemaFieldType.BOOLEAN, options);
  }

  /** The field's name, e.g. `USER_ID`. */
  public readonly name: string;
  /** The field's Avro type. */
  public readonly type: SchemaFieldType;
  /** Whether the field can be null. */
  public readonly optional: boolean;
  /** Whether the field is categorical. */
  public readonly categorical: boolean;
  /** Whether the field is textual. */
  public readonly textual: boolean;

  private constructor(name: string, type: SchemaFieldType, options: StringFieldOptions) {
    this.name = name;
    this.type = type;
    this.optional = options.optional ?? false;
    this.categorical = options.categorical ?? false;
    this.textual = options.textual ?? false;
  }

  /**
   * The field in Avro JSON.
   * @internal
   */
  public _toAvro(): Record<string, unknown> {
    return {
      name: this.name,
      type: this.optional ? [this.type, 'null'] : this.type,
      ...(this.categorical ? { categorical: true } : {}),
      ...(this.textual ? { textual: true } : {}),
    };
  }

  /** @internal */
  public _facts(): FieldFacts {
    return { name: this.name, types: [this.type], nullable: this.optional, categorical: this.categorical, textual: this.textual };
  }
}

/**
 * The content of a Personalize schema: typed fields, or an Avro JSON document as Personalize
 * documents it (`{ "type": "record", "name": "Interactions", "namespace": ..., "fields": [...], "version": "1.0" }`).
 * Either way it is checked at synth time against the dataset type's documented requirements.
 *
 * @example
 * const fromFields = SchemaDefinition.fromFields([SchemaField.string('USER_ID'), SchemaField.int('AGE')]);
 * const userFields: Array<{ [key: string]: any }> = [
 *   { name: 'USER_ID', type: 'string' },
 *   { name: 'GENDER', type: 'string', categorical: true },
 * ];
 * const fromObject = SchemaDefinition.fromJson({
 *   type: 'record',
 *   name: 'Users',
 *   namespace: 'com.amazonaws.personalize.schema',
 *   fields: userFields,
 *   version: '1.0',
 * });
 * const fromText = SchemaDefinition.fromString('{"type":"record","name":"Users","fields":[...],"version":"1.0"}');
 */
export class SchemaDefinition {
  /**
   * From typed fields. The construct renders the Avro record Personalize expects: type `record`,
   * the dataset type's record name (`Interactions`, `Items`, `Users`, `Actions`,
   * `ActionInteractions`), namespace `com.amazonaws.personalize.schema`, the fields, version `1.0`.
   */
  public static fromFields(fields: SchemaField[]): SchemaDefinition {
    return new SchemaDefinition({ fields });
  }

  /**
   * From an Avro schema document as a JSON object. Its values may contain tokens; fields whose
   * names are tokens are not checked.
   */
  public static fromJson(document: any): SchemaDefinition {
    return new SchemaDefinition({ document });
  }

  /**
   * From the text of an Avro schema document, e.g. a file's contents. An unresolved token is passed
   * to Personalize unchecked.
   */
  public static fromString(json: string): SchemaDefinition {
    return new SchemaDefinition({ text: json });
  }

  private readonly source: { fields?: SchemaField[]; document?: unknown; text?: string };

  private constructor(source: { fields?: SchemaField[]; document?: unknown; text?: string }) {
    this.source = source;
  }

  /**
   * The Avro document to give Personalize for a dataset type, the facts the checks need and what
   * is wrong with the document itself.
   * @internal
   */
  public _resolve(datasetType: DatasetType): ResolvedSchema {
    if (this.source.fields) {
      return {
        document: {
          type: 'record',
          name: recordNameFor(datasetType.value),
          namespace: 'com.amazonaws.personalize.schema',
          fields: this.source.fields.map((f) => f._toAvro()),
          version: '1.0',
        },
        fields: this.source.fields.map((f) => f._facts()),
        errors: [],
      };
    }
    if (this.source.text !== undefined) {
      if (Token.isUnresolved(this.source.text)) return { text: this.source.text, errors: [] };
      let parsed: unknown;
      try {
        parsed = JSON.parse(this.source.text);
      } catch (e) {
        return { text: this.source.text, errors: [`definition is not valid JSON: ${(e as Error).message}`] };
      }
      return { ...parseAvroDocument(parsed, datasetType), text: this.source.text };
    }
    return parseAvroDocument(this.source.document, datasetType);
  }
}
