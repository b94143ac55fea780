/**
 * What the Amazon Personalize developer guide documents about schemas, as data, and the checks
 * that apply it. Nothing here is inferred from the service's behaviour: each rule cites its page.
 * Where pages disagree, the rule accepts what either page allows, and says so.
 *
 * Pages (https://docs.aws.amazon.com/personalize/latest/dg/...):
 *   FORMAT  how-it-works-dataset-schema.html ("Schema formatting requirements", "Schema data types")
 *   CUSTOM  custom-datasets-and-schemas.html ("Custom dataset and schema requirements", "Metadata fields", "Reserved keywords")
 *   ECOM    ECOMMERCE-datasets-and-schemas.html and ECOMMERCE-{interactions,items,users}-dataset.html
 *   VOD     VIDEO-ON-DEMAND-datasets-and-schemas.html and VIDEO-ON-DEMAND-{interactions,items,users}-dataset.html
 *   ITEMS   items-datasets.html ("Unstructured text metadata": at most 1 textual field)
 *   OVERVIEW datasets-schemas-overview.html (no Actions or Action interactions datasets in a domain dataset group)
 *   API     API_CreateSchema.html (the schema is at most 20000 characters)
 */
import { Token } from 'aws-cdk-lib';

/** The Avro primitive types Personalize schemas support (FORMAT, "Schema data types"), besides null. */
export const SUPPORTED_TYPES = ['float', 'double', 'int', 'long', 'string', 'boolean'];
export const NUMERIC_TYPES = ['int', 'long', 'float', 'double'];

/** CreateSchema's limit on the schema JSON (API). */
export const MAX_SCHEMA_LENGTH = 20000;

/** Avro names: a letter or underscore, then letters, digits and underscores (Avro specification, "Names"). */
export const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Domain dataset groups hold Item interactions, Items and Users datasets only (OVERVIEW). */
export const DOMAIN_DATASET_TYPES = ['INTERACTIONS', 'ITEMS', 'USERS'];

/** A field a page names for a dataset type: a required field or a reserved keyword. */
export interface FieldRule {
  readonly name: string;
  /** The types the field may have (besides null). */
  readonly types: readonly string[];
  /** Whether the field may be a union with null. */
  readonly nullable: boolean;
  /** `true`: must be categorical; `false`: must not be ("reserved string fields can't be categorical"). */
  readonly categorical?: boolean;
  /** The field must be textual. */
  readonly textual?: boolean;
  /** A reserved keyword that also counts as the schema's metadata field (see VOD Users). */
  readonly countsAsMetadata?: boolean;
}

/** What one page documents for one dataset type in one kind of dataset group. */
export interface DatasetTypeRules {
  /** How the documentation names the dataset type in messages. */
  readonly title: string;
  readonly required: readonly FieldRule[];
  readonly reserved: readonly FieldRule[];
  /** Fields besides the required ones and the reserved keywords that must be categorical strings or numeric. */
  readonly minMetadata: number;
  /** The most metadata fields (fields that are neither required nor reserved) the schema may have. */
  readonly maxMetadata?: number;
  /** Whether the schema may have textual fields (only Items schemas: FORMAT, CUSTOM). */
  readonly textual: boolean;
  /** The page that documents these rules. */
  readonly source: string;
}

const DOCS = 'https://docs.aws.amazon.com/personalize/latest/dg/';

const str = (name: string, more: Partial<FieldRule> = {}): FieldRule => ({ name, types: ['string'], nullable: false, ...more });
const long = (name: string, nullable = false): FieldRule => ({ name, types: ['long'], nullable });
const float = (name: string, nullable = false): FieldRule => ({ name, types: ['float'], nullable });
const categorical = (name: string, nullable: boolean, more: Partial<FieldRule> = {}): FieldRule =>
  str(name, { nullable, categorical: true, ...more });
const textual = (name: string): FieldRule => str(name, { nullable: true, textual: true });

/** EVENT_TYPE "must be a string and can't be set as categorical" (CUSTOM, "Reserved keywords"). */
const EVENT_TYPE = str('EVENT_TYPE', { categorical: false });
/** Reserved string keywords of Item interactions datasets ("reserved string fields can't be categorical"). */
const INTERACTIONS_RESERVED = [
  { name: 'EVENT_VALUE', types: ['float'], nullable: true },
  str('IMPRESSION', { nullable: true, categorical: false }),
  str('RECOMMENDATION_ID', { nullable: true, categorical: false }),
  str('EVENT_ATTRIBUTION_SOURCE', { nullable: true, categorical: false }),
];

/** Custom dataset groups (CUSTOM). */
const CUSTOM: Record<string, DatasetTypeRules> = {
  INTERACTIONS: {
    title: 'Item interactions',
    required: [str('USER_ID'), str('ITEM_ID'), long('TIMESTAMP')],
    reserved: [EVENT_TYPE, ...INTERACTIONS_RESERVED],
    minMetadata: 0,
    // "The maximum number of metadata fields excluding reserved fields, such as IMPRESSION, is 5."
    maxMetadata: 5,
    textual: false,
    source: `${DOCS}custom-datasets-and-schemas.html`,
  },
  USERS: {
    title: 'Users',
    required: [str('USER_ID')],
    reserved: [],
    minMetadata: 1,
    maxMetadata: 25,
    textual: false,
    source: `${DOCS}custom-datasets-and-schemas.html`,
  },
  ITEMS: {
    title: 'Items',
    required: [str('ITEM_ID')],
    reserved: [long('CREATION_TIMESTAMP')],
    minMetadata: 1,
    maxMetadata: 100,
    textual: true,
    source: `${DOCS}custom-datasets-and-schemas.html`,
  },
  ACTIONS: {
    title: 'Actions',
    required: [str('ACTION_ID')],
    reserved: [
      long('CREATION_TIMESTAMP'),
      long('VALUE', true),
      str('TYPE', { nullable: true, categorical: false }),
      // The table names EXPIRATION_TIMESTAMP, the keyword list ACTION_EXPIRATION_TIMESTAMP: both are reserved here.
      long('EXPIRATION_TIMESTAMP', true),
      long('ACTION_EXPIRATION_TIMESTAMP', true),
      long('REPEAT_FREQUENCY', true),
    ],
    minMetadata: 1,
    maxMetadata: 10,
    textual: false,
    source: `${DOCS}custom-datasets-and-schemas.html`,
  },
  ACTION_INTERACTIONS: {
    title: 'Action interactions',
    required: [str('USER_ID'), str('ACTION_ID'), EVENT_TYPE, long('TIMESTAMP')],
    reserved: [str('IMPRESSION', { nullable: true, categorical: false }), str('RECOMMENDATION_ID', { nullable: true, categorical: false })],
    minMetadata: 0,
    textual: false,
    source: `${DOCS}custom-datasets-and-schemas.html`,
  },
};

/** Item interactions in either domain: EVENT_TYPE is required (ECOM, VOD). */
const domainInteractions = (domainPage: string): DatasetTypeRules => ({
  title: 'Item interactions',
  required: [str('USER_ID'), str('ITEM_ID'), long('TIMESTAMP'), EVENT_TYPE],
  reserved: INTERACTIONS_RESERVED,
  minMetadata: 0,
  maxMetadata: 5,
  textual: false,
  source: `${DOCS}${domainPage}`,
});

/** ECOMMERCE domain dataset groups (ECOM). */
const ECOMMERCE: Record<string, DatasetTypeRules> = {
  INTERACTIONS: domainInteractions('ECOMMERCE-datasets-and-schemas.html'),
  USERS: {
    title: 'Users',
    required: [str('USER_ID')],
    reserved: [],
    minMetadata: 1,
    textual: false,
    source: `${DOCS}ECOMMERCE-datasets-and-schemas.html`,
  },
  ITEMS: {
    title: 'Items',
    required: [str('ITEM_ID'), float('PRICE'), categorical('CATEGORY_L1', false)],
    reserved: [
      categorical('CATEGORY_L2', true),
      categorical('CATEGORY_L3', true),
      textual('PRODUCT_DESCRIPTION'),
      // The requirements table says long, the Items page float: either is accepted.
      { name: 'CREATION_TIMESTAMP', types: ['long', 'float'], nullable: false },
      categorical('AGE_GROUP', true),
      categorical('ADULT', true),
      categorical('GENDER', true),
    ],
    minMetadata: 0,
    maxMetadata: 100,
    textual: true,
    source: `${DOCS}ECOMMERCE-datasets-and-schemas.html`,
  },
};

/** VIDEO_ON_DEMAND domain dataset groups (VOD). */
const VIDEO_ON_DEMAND: Record<string, DatasetTypeRules> = {
  INTERACTIONS: domainInteractions('VIDEO-ON-DEMAND-datasets-and-schemas.html'),
  USERS: {
    title: 'Users',
    required: [str('USER_ID')],
    // The default VIDEO_ON_DEMAND Users schema has SUBSCRIPTION_MODEL as its only field besides
    // USER_ID, so that reserved keyword is the schema's metadata field.
    reserved: [categorical('SUBSCRIPTION_MODEL', true, { countsAsMetadata: true })],
    minMetadata: 1,
    textual: false,
    source: `${DOCS}VIDEO-ON-DEMAND-datasets-and-schemas.html`,
  },
  ITEMS: {
    title: 'Items',
    required: [str('ITEM_ID'), long('CREATION_TIMESTAMP'), categorical('GENRES', false)],
    reserved: [
      // The requirements table allows null for PRICE and DURATION, the Items page does not say: null is accepted.
      float('PRICE', true),
      float('DURATION', true),
      categorical('GENRE_L2', true),
      categorical('GENRE_L3', true),
      float('AVERAGE_RATING', true),
      textual('PRODUCT_DESCRIPTION'),
      categorical('CONTENT_OWNER', true),
      categorical('CONTENT_CLASSIFICATION', true),
    ],
    minMetadata: 0,
    maxMetadata: 100,
    textual: true,
    source: `${DOCS}VIDEO-ON-DEMAND-datasets-and-schemas.html`,
  },
};

const RULES: Record<string, Record<string, DatasetTypeRules>> = { CUSTOM, ECOMMERCE, VIDEO_ON_DEMAND };

/** The documented rules for a dataset type (upper case key) in a custom group or a domain; undefined when not documented. */
export function rulesFor(typeKey: string, domain?: string): DatasetTypeRules | undefined {
  return RULES[domain ?? 'CUSTOM']?.[typeKey];
}

/**
 * Domain dataset groups, and so domain schemas, have only Item interactions, Items and Users
 * datasets (OVERVIEW). Types the documentation does not know are not checked.
 */
export function checkDomainDatasetType(typeKey: string, typeValue: string, domain: string | undefined, property: string): string[] {
  if (!domain || Token.isUnresolved(typeKey) || DOMAIN_DATASET_TYPES.includes(typeKey) || rulesFor(typeKey) === undefined) return [];
  return [`${property} ${typeValue} is not available in the ${domain} domain: a domain dataset group has only Interactions, Items ` +
    `and Users datasets (${DOCS}datasets-schemas-overview.html); use a custom dataset group for ${typeValue} datasets`];
}

/** The record name a schema must have: "a name key whose value must match the dataset type" (FORMAT). */
export function recordNameFor(typeValue: string): string {
  const known: Record<string, string> = {
    INTERACTIONS: 'Interactions', ITEMS: 'Items', USERS: 'Users', ACTIONS: 'Actions', ACTION_INTERACTIONS: 'ActionInteractions',
  };
  return known[typeValue.toUpperCase()] ?? typeValue.replace(/_/g, '');
}

/******************************************************************************
 *                                 Checks
 *****************************************************************************/

/** One field as the checks see it, whether it came from typed fields or an Avro document. */
export interface FieldFacts {
  readonly name: string;
  /** The non-null types of the field (one for a valid field). */
  readonly types: readonly string[];
  readonly nullable: boolean;
  readonly categorical: boolean;
  readonly textual: boolean;
}

export interface SchemaCheck {
  readonly fields: readonly FieldFacts[];
  /** The dataset type's key (upper case), e.g. `ITEMS`. */
  readonly typeKey: string;
  /** The dataset type's value, for messages. */
  readonly typeValue: string;
  readonly domain?: string;
}

/**
 * Checks the fields against the formatting rules that hold for every schema and against the
 * documented rules of the dataset type (for a custom group or the domain). Returns messages that
 * name the field, its value and the rule; fields whose names are unresolved tokens are skipped.
 */
export function checkSchemaFields(check: SchemaCheck): string[] {
  const errors: string[] = [];
  const fields = check.fields.filter((f) => !Token.isUnresolved(f.name));
  errors.push(...checkFormat(fields));

  const where = check.domain ? `${check.domain} domain` : 'custom';
  const rules = rulesFor(check.typeKey, check.domain);
  if (!rules) return errors; // a dataset type the documentation (and so this library) does not know yet

  const what = `${rules.title} schemas (${where})`;
  const byName = new Map(fields.map((f) => [f.name, f]));
  const unresolved = fields.length !== check.fields.length;
  for (const rule of rules.required) {
    const field = byName.get(rule.name);
    if (!field) {
      if (!unresolved) errors.push(`field ${rule.name} (${describeRule(rule)}) is required in ${what} (${rules.source})`);
      continue;
    }
    errors.push(...checkAgainstRule(field, rule, 'required field', what, rules.source));
  }
  for (const rule of rules.reserved) {
    const field = byName.get(rule.name);
    if (field) errors.push(...checkAgainstRule(field, rule, 'reserved keyword', what, rules.source));
  }

  const named = new Set([...rules.required, ...rules.reserved.filter((r) => !r.countsAsMetadata)].map((r) => r.name));
  const metadata = fields.filter((f) => !named.has(f.name));
  if (!unresolved && rules.minMetadata > 0) {
    const usable = metadata.filter((f) => NUMERIC_TYPES.includes(f.types[0])
      || (f.types[0] === 'string' && (f.categorical || (f.textual && rules.textual))));
    if (usable.length < rules.minMetadata) {
      const kinds = rules.textual ? 'a categorical or textual string, or numeric (int, long, float, double)'
        : 'a categorical string, or numeric (int, long, float, double)';
      errors.push(`fields: ${what} need at least ${rules.minMetadata} metadata field besides ${rules.required.map((r) => r.name).join(', ')} ` +
        `and the reserved keywords, and it must be ${kinds}; found ${metadata.length === 0 ? 'none' : metadata.map((f) => describeField(f)).join(', ')} ` +
        `(${rules.source})`);
    }
  }
  if (rules.maxMetadata !== undefined && metadata.length > rules.maxMetadata) {
    errors.push(`fields: ${metadata.length} metadata fields (${metadata.map((f) => f.name).join(', ')}); ` +
      `${what} allow at most ${rules.maxMetadata} (${rules.source})`);
  }

  const textualFields = fields.filter((f) => f.textual);
  if (!rules.textual) {
    for (const f of textualFields) {
      errors.push(`field ${f.name} is textual; only Items schemas can have textual fields, not ${what} (${DOCS}how-it-works-dataset-schema.html)`);
    }
  } else if (textualFields.length > 1) {
    errors.push(`fields ${textualFields.map((f) => f.name).join(', ')} are all textual; an Items schema can have at most 1 textual field ` +
      `(${DOCS}items-datasets.html)`);
  }
  return errors;
}

/** The rules that hold for every schema, whatever its dataset type (FORMAT). */
function checkFormat(fields: readonly FieldFacts[]): string[] {
  const errors: string[] = [];
  const seen = new Map<string, string>();
  for (const f of fields) {
    if (!AVRO_NAME.test(f.name)) {
      errors.push(`field name "${f.name}" is not an Avro name: it must start with a letter or underscore, followed by letters, digits and underscores`);
    }
    const alphanumeric = f.name.replace(/[^A-Za-z0-9]/g, '');
    const earlier = seen.get(alphanumeric);
    if (earlier === f.name) {
      errors.push(`field ${f.name} is defined twice; field names must be unique`);
    } else if (earlier !== undefined) {
      errors.push(`fields ${earlier} and ${f.name} have the same alphanumeric name (${alphanumeric}); Personalize field names must be unique ` +
        `alphanumeric names (${DOCS}how-it-works-dataset-schema.html)`);
    }
    seen.set(alphanumeric, f.name);
    if (f.types.length !== 1) {
      errors.push(f.types.length === 0
        ? `field ${f.name} is only null; a field needs one of the types ${SUPPORTED_TYPES.join(', ')}, optionally with null`
        : `field ${f.name} is a union of ${f.types.join(', ')}; a Personalize field has one type, optionally with null`);
      continue;
    }
    const type = f.types[0];
    if (!SUPPORTED_TYPES.includes(type)) {
      errors.push(`field ${f.name} has type ${type}; Personalize schemas support only ${SUPPORTED_TYPES.join(', ')} and null, ` +
        `and no complex types such as arrays, maps or nested records (${DOCS}how-it-works-dataset-schema.html)`);
      continue;
    }
    if (f.categorical && type !== 'string') {
      errors.push(`field ${f.name} is ${type} and categorical; only string fields can be categorical (${DOCS}how-it-works-dataset-schema.html)`);
    }
    if (f.textual && type !== 'string') {
      errors.push(`field ${f.name} is ${type} and textual; textual fields must be of type string (${DOCS}how-it-works-dataset-schema.html)`);
    }
  }
  return errors;
}

function checkAgainstRule(field: FieldFacts, rule: FieldRule, kind: string, what: string, source: string): string[] {
  const errors: string[] = [];
  const type = field.types.length === 1 ? field.types[0] : undefined;
  if (type !== undefined && !rule.types.includes(type)) {
    errors.push(`field ${field.name} is ${type}; the ${kind} ${rule.name} of ${what} must be ${describeRule(rule)} (${source})`);
  }
  if (field.nullable && !rule.nullable) {
    errors.push(`field ${field.name} is optional (a union with null); the ${kind} ${rule.name} of ${what} cannot be null (${source})`);
  }
  if (rule.categorical === true && !field.categorical) {
    errors.push(`field ${field.name} must be categorical; the ${kind} ${rule.name} of ${what} is a categorical string ` +
      `(reserved categorical string fields must have categorical set to true) (${source})`);
  }
  if (rule.categorical === false && field.categorical) {
    errors.push(`field ${field.name} is categorical; the ${kind} ${rule.name} of ${what} is a string that cannot be categorical (${source})`);
  }
  if (rule.textual && !field.textual) {
    errors.push(`field ${field.name} must be textual; the ${kind} ${rule.name} of ${what} is a textual string (${source})`);
  }
  return errors;
}

function describeRule(rule: FieldRule): string {
  const attribute = rule.categorical ? 'categorical ' : rule.textual ? 'textual ' : '';
  return `${attribute}${rule.types.join(' or ')}${rule.nullable ? ', optionally null' : ''}`;
}

function describeField(f: FieldFacts): string {
  const attribute = f.categorical ? 'categorical ' : f.textual ? 'textual ' : '';
  return `${f.name} (${attribute}${f.types.join('|') || 'null'})`;
}

/******************************************************************************
 *                            Avro documents
 *****************************************************************************/

/** A schema definition made ready for a dataset type. */
export interface ResolvedSchema {
  /** The Avro document (from typed fields or a JSON object); absent when given as text. */
  readonly document?: unknown;
  /** The document as given, when it was given as text (passed to Personalize as is). */
  readonly text?: string;
  /** The fields, for the checks; absent when the document is not known at synth time. */
  readonly fields?: readonly FieldFacts[];
  /** What is wrong with the document itself. */
  readonly errors: readonly string[];
}

/**
 * Reads the fields of an Avro schema document and checks its shape: a record (FORMAT: Avro format,
 * flat, no complex types) whose name matches the dataset type (FORMAT: "A schema has a name key
 * whose value must match the dataset type"), with a list of named fields.
 */
export function parseAvroDocument(doc: unknown, datasetType: { readonly value: string }): ResolvedSchema {
  if (!isObject(doc)) {
    return { document: doc, errors: ['definition must be an Avro schema document: a JSON object with "type": "record" and "fields"'] };
  }
  const errors: string[] = [];
  const isToken = (v: unknown) => typeof v === 'string' && Token.isUnresolved(v);
  if (doc.type !== 'record') {
    errors.push(`definition has "type": ${JSON.stringify(doc.type)}; a Personalize schema is an Avro record ("type": "record")`);
  }
  const expected = recordNameFor(datasetType.value);
  const simplify = (s: string) => s.replace(/_/g, '').toLowerCase();
  if (typeof doc.name !== 'string') {
    errors.push(`definition has no record name; it must be "${expected}" (a schema has a name key whose value must match the dataset type)`);
  } else if (!isToken(doc.name) && !isToken(datasetType.value) && simplify(doc.name) !== simplify(expected)) {
    errors.push(`definition has the record name "${doc.name}" for a ${datasetType.value} schema; it must be "${expected}" ` +
      '(a schema has a name key whose value must match the dataset type)');
  }
  if (!Array.isArray(doc.fields) || doc.fields.length === 0) {
    errors.push('definition has no "fields"; a schema lists its fields in a non-empty "fields" array');
    return { document: doc, errors };
  }

  const fields: FieldFacts[] = [];
  doc.fields.forEach((field: unknown, i: number) => {
    if (!isObject(field) || typeof field.name !== 'string') {
      errors.push(`definition fields[${i}] must be an object with a "name" and a "type"`);
      return;
    }
    const name = field.name;
    const branches = Array.isArray(field.type) ? field.type : [field.type];
    const types: string[] = [];
    let nullable = false;
    for (const branch of branches) {
      const type = typeName(branch);
      if (type === undefined) {
        errors.push(`field ${name} has the type ${JSON.stringify(branch)}; a field's type is a primitive type name or a union of them`);
      } else if (type === 'null') {
        if (nullable) errors.push(`field ${name} lists null twice in its union`);
        nullable = true;
      } else if (types.includes(type)) {
        errors.push(`field ${name} lists ${type} twice in its union`);
      } else {
        types.push(type);
      }
    }
    for (const attribute of ['categorical', 'textual']) {
      if (field[attribute] !== undefined && typeof field[attribute] !== 'boolean') {
        errors.push(`field ${name} has "${attribute}": ${JSON.stringify(field[attribute])}; it must be true or false`);
      }
    }
    fields.push({ name, types, nullable, categorical: field.categorical === true, textual: field.textual === true });
  });
  return { document: doc, fields, errors };
}

/**
 * The name of a type in either of Avro's forms: "string", or { "type": "string" }. Complex types
 * ({ "type": "array", ... }) come back as their kind, which the format checks then reject.
 */
function typeName(branch: unknown): string | undefined {
  if (typeof branch === 'string') return branch;
  if (isObject(branch) && typeof branch.type === 'string') return branch.type;
  return undefined;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
