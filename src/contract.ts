/**
 * The contract between the constructs (src/), the custom-resource handlers (lambda/) and the
 * rehearsal (rehearsal/): resource types, property keys with their kinds, attribute names,
 * operational properties, reserved tags and name rules. Everything both sides must agree on is
 * defined here once, so that renaming a property fails to compile on every side.
 *
 * Internal to the library (not exported from index.ts) and free of aws-cdk-lib, so that it bundles
 * into the handlers as it is.
 */

/******************************************************************************
 *                         Property kinds and decoding
 *****************************************************************************/

/**
 * How a property's value travels. CloudFormation passes every scalar of a custom resource as a
 * string, so the handlers decode numbers and booleans back; `json` is a JSON document the
 * construct renders as a string; a trailing `?` marks an optional property.
 */
type Kind = 'string' | 'number' | 'boolean' | 'json';
type PropertyKind = Kind | `${Kind}?`;

type ValueOfKind<K> = K extends 'string' ? string : K extends 'number' ? number : K extends 'boolean' ? boolean : unknown;
type RequiredKeys<S> = { [P in keyof S]: S[P] extends `${string}?` ? never : P }[keyof S];
type OptionalKeys<S> = Exclude<keyof S, RequiredKeys<S>>;
type Stripped<K> = K extends `${infer Base}?` ? Base : K;

/** A tag as CloudFormation passes it to a custom resource. */
export interface CfnTag {
  readonly Key: string;
  readonly Value: string;
}

/** Properties every resource of the library takes besides its own. */
export interface OperationalProperties {
  /** The user's tags (the ownership tag is added by the handler). */
  readonly Tags?: readonly CfnTag[];
  /** The resource's own wait bound: how long isComplete waits for ACTIVE, or for the deletion. */
  readonly WaitTimeoutSeconds?: number;
}

/** Keys that steer the handler rather than describe the resource: a change of them alone is no update. */
export const OPERATIONAL_PROPERTY_KEYS: readonly string[] = ['ServiceToken', 'ServiceTimeout', 'Tags', 'WaitTimeoutSeconds'];

/** A resource's properties, typed from its specification. */
export type PropertiesOf<S> = OperationalProperties
  & { readonly [P in RequiredKeys<S>]: ValueOfKind<Stripped<S[P]>> }
  & { readonly [P in OptionalKeys<S>]?: ValueOfKind<Stripped<S[P]>> };

/******************************************************************************
 *                                 Name rules
 *****************************************************************************/

/** What a service accepts as a name, for validation (constructs) and for generated names (handlers). */
export interface NameRule {
  readonly pattern: RegExp;
  /** How the pattern reads in a message. */
  readonly patternText: string;
  readonly minLength: number;
  readonly maxLength: number;
  /** The characters a generated name may keep from the stack name and logical id. */
  readonly allowed: RegExp;
  /** Joins the parts of a generated name. */
  readonly separator: string;
  /** Names the service compares without case get a lower-case generated name. */
  readonly lowerCase?: boolean;
}

/** Personalize resource names (dataset groups, schemas, datasets, import jobs, event trackers). */
export const PERSONALIZE_NAME_RULE: NameRule = {
  pattern: /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/,
  patternText: 'a letter or digit, then letters, digits, hyphens and underscores',
  minLength: 1,
  maxLength: 63,
  allowed: /[a-zA-Z0-9_-]/,
  separator: '-',
};

/** AgentCore dataset names: unique in the account and region regardless of case. */
export const EVALUATION_DATASET_NAME_RULE: NameRule = {
  pattern: /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/,
  patternText: 'a letter, then letters, digits and underscores',
  minLength: 1,
  maxLength: 48,
  allowed: /[a-zA-Z0-9_]/,
  separator: '_',
  lowerCase: true,
};

/******************************************************************************
 *                               Resource types
 *****************************************************************************/

interface ResourceSpecification {
  /** The CloudFormation custom resource type the handler dispatches on. */
  readonly type: string;
  /** The service whose handler code manages it (a lazily loaded part of the handler bundle). */
  readonly service: ServiceName;
  /** The property that holds a user-fixed name; absent from the properties means generated. */
  readonly nameProperty: string;
  /** What the service accepts as a name. */
  readonly nameRule: NameRule;
  /** Property keys and their kinds. */
  readonly properties: Readonly<Record<string, PropertyKind>>;
  /** The attributes the handler returns (Fn::GetAtt names). */
  readonly attributes: readonly string[];
}

export type ServiceName = 'personalize' | 'agentcore';

/** Every resource type of the library. */
export const RESOURCES = {
  DatasetGroup: {
    type: 'Custom::PersonalizeDatasetGroup',
    service: 'personalize',
    nameProperty: 'Name',
    nameRule: PERSONALIZE_NAME_RULE,
    properties: { Name: 'string?', Domain: 'string?', KmsKeyArn: 'string?', RoleArn: 'string?' },
    attributes: ['DatasetGroupArn', 'DatasetGroupName'],
  },
  Schema: {
    type: 'Custom::PersonalizeSchema',
    service: 'personalize',
    nameProperty: 'Name',
    nameRule: PERSONALIZE_NAME_RULE,
    properties: { Name: 'string?', Schema: 'string', Domain: 'string?' },
    attributes: ['SchemaArn', 'SchemaName'],
  },
  Dataset: {
    type: 'Custom::PersonalizeDataset',
    service: 'personalize',
    nameProperty: 'Name',
    nameRule: PERSONALIZE_NAME_RULE,
    properties: { Name: 'string?', DatasetGroupArn: 'string', DatasetType: 'string', SchemaArn: 'string' },
    attributes: ['DatasetArn', 'DatasetName', 'DatasetType'],
  },
  DatasetImport: {
    type: 'Custom::PersonalizeDatasetImport',
    service: 'personalize',
    nameProperty: 'JobName',
    nameRule: PERSONALIZE_NAME_RULE,
    properties: {
      JobName: 'string?',
      DatasetArn: 'string',
      DataLocation: 'string',
      ImportMode: 'string?',
      RoleArn: 'string',
      WaitForCompletion: 'boolean?',
      /** A local file: the CDK asset object the handler copies to DataLocation first (s3://bucket/key). */
      StagedFrom: 'string?',
      /** The local file's asset hash: a changed file is a new import. */
      AssetHash: 'string?',
    },
    attributes: ['DatasetImportJobArn', 'JobName'],
  },
  EventTracker: {
    type: 'Custom::PersonalizeEventTracker',
    service: 'personalize',
    nameProperty: 'Name',
    nameRule: PERSONALIZE_NAME_RULE,
    properties: { Name: 'string?', DatasetGroupArn: 'string' },
    attributes: ['EventTrackerArn', 'EventTrackerName', 'TrackingId'],
  },
  EvaluationDataset: {
    type: 'Custom::AgentCoreEvaluationDataset',
    service: 'agentcore',
    nameProperty: 'DatasetName',
    nameRule: EVALUATION_DATASET_NAME_RULE,
    properties: {
      DatasetName: 'string?',
      Description: 'string?',
      SchemaType: 'string',
      KmsKeyArn: 'string?',
      /** A JSON array of example objects. */
      InlineExamples: 'json?',
      S3Uri: 'string?',
    },
    attributes: ['EvaluationDatasetArn', 'EvaluationDatasetId', 'EvaluationDatasetName', 'DatasetVersion'],
  },
} as const satisfies Record<string, ResourceSpecification>;

export type ResourceName = keyof typeof RESOURCES;
export type Properties<R extends ResourceName> = PropertiesOf<(typeof RESOURCES)[R]['properties']>;
export type AttributeName<R extends ResourceName> = (typeof RESOURCES)[R]['attributes'][number];
export type Attributes<R extends ResourceName> = { readonly [A in AttributeName<R>]?: string };

/** The resource name of a CloudFormation type, or undefined when the library does not manage it. */
export function resourceNameOf(type: string): ResourceName | undefined {
  return (Object.keys(RESOURCES) as ResourceName[]).find((name) => RESOURCES[name].type === type);
}

/** The attribute names of a resource, each keyed by itself, for Fn::GetAtt on the construct side. */
export function attributeNames<R extends ResourceName>(resource: R): { readonly [A in AttributeName<R>]: A } {
  return Object.fromEntries(RESOURCES[resource].attributes.map((a) => [a, a])) as { [A in AttributeName<R>]: A };
}

/** Thrown for a property that does not decode: the message names the property, the value and the kind. */
export class PropertyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropertyError';
  }
}

/**
 * Turns the properties CloudFormation delivers (every scalar a string) back into the values the
 * construct rendered, as the resource's specification says; keys it does not name are kept as
 * they came. A missing required property or a value of the wrong kind is a PropertyError.
 */
export function decodeProperties<R extends ResourceName>(resource: R, raw: Readonly<Record<string, unknown>>): Properties<R> {
  const spec: Readonly<Record<string, PropertyKind>> = RESOURCES[resource].properties;
  const decoded: Record<string, unknown> = { ...raw };
  for (const [key, kindText] of Object.entries(spec)) {
    const optional = kindText.endsWith('?');
    const kind = (optional ? kindText.slice(0, -1) : kindText) as Kind;
    const value = raw[key];
    if (value === undefined || value === null) {
      if (!optional) throw new PropertyError(`${RESOURCES[resource].type}: the property ${key} is required`);
      delete decoded[key];
      continue;
    }
    decoded[key] = decodeValue(`${RESOURCES[resource].type} ${key}`, kind, value);
  }
  if (raw.WaitTimeoutSeconds !== undefined) decoded.WaitTimeoutSeconds = decodeValue('WaitTimeoutSeconds', 'number', raw.WaitTimeoutSeconds);
  if (raw.Tags !== undefined) decoded.Tags = decodeTags(raw.Tags);
  return decoded as Properties<R>;
}

function decodeValue(what: string, kind: Kind, value: unknown): unknown {
  switch (kind) {
    case 'string':
      if (typeof value === 'object') throw new PropertyError(`${what} must be a string, not ${JSON.stringify(value)}`);
      return String(value);
    case 'number': {
      const number = typeof value === 'number' ? value : Number(value);
      if (typeof value === 'boolean' || String(value).trim() === '' || !Number.isFinite(number)) {
        throw new PropertyError(`${what} must be a number, not ${JSON.stringify(value)}`);
      }
      return number;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw new PropertyError(`${what} must be true or false, not ${JSON.stringify(value)}`);
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value);
      } catch (error) {
        throw new PropertyError(`${what} must be a JSON document: ${(error as Error).message}`);
      }
  }
}

function decodeTags(value: unknown): CfnTag[] {
  if (!Array.isArray(value)) throw new PropertyError(`Tags must be a list of { Key, Value }, not ${JSON.stringify(value)}`);
  return value.map((tag) => {
    if (!tag || typeof tag !== 'object' || typeof tag.Key !== 'string') {
      throw new PropertyError(`Tags must be a list of { Key, Value }, not ${JSON.stringify(value)}`);
    }
    return { Key: tag.Key, Value: tag.Value === undefined || tag.Value === null ? '' : String(tag.Value) };
  });
}

/******************************************************************************
 *                      Operational settings and reserved tags
 *****************************************************************************/

/** How long a resource waits for ACTIVE (or its deletion) unless its construct says otherwise. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 30 * 60;
/**
 * The longest wait a resource may have. CloudFormation gives a custom resource an hour at most
 * (ServiceTimeout), counted from its request, and onEvent (up to 5 minutes) comes before the wait:
 * a wait that ends within 55 minutes ends with the handler's own message and the service's last
 * status, never with CloudFormation's "did not receive a response".
 */
export const MAX_WAIT_TIMEOUT_SECONDS = 55 * 60;
/** An import waits up to the longest wait unless told otherwise: imports are slow. */
export const DEFAULT_IMPORT_WAIT_TIMEOUT_SECONDS = MAX_WAIT_TIMEOUT_SECONDS;
/** The ServiceTimeout of every custom resource of the library: CloudFormation's ceiling, said explicitly. */
export const SERVICE_TIMEOUT_SECONDS = 60 * 60;
/**
 * How often the Provider framework calls isComplete (its query interval). The handlers' schedule of
 * status calls (lambda/core/schedule.ts) counts on it.
 */
export const STATUS_POLL_INTERVAL_MS = 1_000;

/** The prefix of the tags the library keeps for itself; users' tags may not use it. */
export const RESERVED_TAG_PREFIX = 'cdk-datasets:';
/** Marks a resource as made by one stack resource, so that a retried create never adopts another's. */
export const OWNER_TAG_KEY = `${RESERVED_TAG_PREFIX}owner`;
/** Records which S3 source an evaluation dataset's DRAFT holds. */
export const EXAMPLES_SOURCE_TAG_KEY = `${RESERVED_TAG_PREFIX}examples-source`;
