/**
 * The services' own models, as the AWS SDK clients ship them, to check what the emulator answers.
 *
 * The clients carry static schemas (exported as `<Operation>$`, `<Shape>$`) that the SDK itself
 * reads through @smithy/core/schema's `NormalizedSchema`: member names and their order, how many
 * leading members are required (the structure's 7th element), member types (string, number,
 * boolean, timestamp and its format, blob, document, list, map, structure, union), and HTTP
 * bindings (http trait, httpHeader, httpResponseCode, httpPayload, jsonName). Enum values and the
 * errors each operation declares are not in those schemas: they come from the clients' TypeScript
 * declarations (model-types.ts).
 *
 * A response is checked the way the SDK would read it, all the way down: a member the shape does
 * not have (a misspelling included), a required member that is missing, a value of the wrong type,
 * an enum value the enum does not have, a union with other than one member set, a success status
 * other than the operation's, an error the operation does not declare (or a declared one with the
 * wrong status or members). Each finding is one line naming the operation and the member's path.
 *
 * JSON services (awsJson1_1, restJson1) are checked on the wire: the parsed JSON body, with
 * restJson1's header, status and payload bindings taken out of it. S3 (restXml) is checked on the
 * output object the emulator serializes with the same schema (s3-xml.ts), so that names on the wire
 * follow from the model.
 */
import { createRequire } from 'module';
import { clientTypes, ClientTypes, EnumUse } from './model-types';

export type ModeledService = 'personalize' | 'agentcore' | 's3';
export type Protocol = 'awsJson1_1' | 'restJson1' | 'restXml';

/** The parts of @smithy/core/schema's NormalizedSchema the checks use. */
export interface Schema {
  getName(withNamespace?: boolean): string | undefined;
  getMemberName(): string;
  getSchema(): unknown;
  getMergedTraits(): Record<string, any>;
  isStructSchema(): boolean;
  isUnionSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isDocumentSchema(): boolean;
  isStringSchema(): boolean;
  isBooleanSchema(): boolean;
  isNumericSchema(): boolean;
  isBigIntegerSchema(): boolean;
  isBigDecimalSchema(): boolean;
  isBlobSchema(): boolean;
  isTimestampSchema(): boolean;
  isUnitSchema(): boolean;
  getValueSchema(): Schema;
  getKeySchema(): Schema;
  structIterator(): Iterable<[string, Schema]>;
}

const CLIENTS: Record<ModeledService, { pkg: string; protocol: Protocol }> = {
  personalize: { pkg: '@aws-sdk/client-personalize', protocol: 'awsJson1_1' },
  agentcore: { pkg: '@aws-sdk/client-bedrock-agentcore-control', protocol: 'restJson1' },
  s3: { pkg: '@aws-sdk/client-s3', protocol: 'restXml' },
};

/**
 * Errors every AWS JSON API may return without modeling them ("Common Errors" in each service's
 * API reference), and the protocol's own: code > HTTP status.
 */
const COMMON_JSON_ERRORS: Readonly<Record<string, number>> = {
  AccessDeniedException: 400,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  NotAuthorized: 400,
  OptInRequired: 403,
  RequestExpired: 400,
  ServiceUnavailable: 503,
  ThrottlingException: 400,
  ValidationError: 400,
  // What JSON services answer a request that breaks a modeled constraint (a range, a pattern) when
  // the operation declares no error of its own for it.
  ValidationException: 400,
  UnrecognizedClientException: 403,
  // awsJson1_1: a target the service does not know, a body that is not JSON.
  UnknownOperationException: 400,
  SerializationException: 400,
};

/**
 * S3 error codes the emulator uses that the S3 model does not declare (S3's "List of error codes"):
 * code > HTTP status. S3's model declares few errors per operation (GetObject: NoSuchKey and
 * InvalidObjectState, though S3 also answers NoSuchBucket), so any error S3 models is accepted too.
 */
const S3_DOCUMENTED_ERRORS: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  InvalidArgument: 400,
  InvalidRequest: 400,
  InternalError: 500,
  SlowDown: 503,
  ServiceUnavailable: 503,
  MethodNotAllowed: 405,
  NotImplemented: 501,
};

/** Headers and status of an HTTP response, and its body: parsed JSON, or (S3) the output object. */
export interface ResponseParts {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | number | undefined>>;
  readonly body: unknown;
}

const models = new Map<ModeledService, ServiceModel>();

/**
 * A client's schemas (the `<Name>$` exports of its schemas module) and Smithy's NormalizedSchema,
 * as a bundle carries them where the client is not installed (the cdk-datasets command, whose S3
 * emulation writes its answers with S3's model).
 */
export interface BundledModel {
  readonly schemas: Readonly<Record<string, unknown>>;
  readonly normalizedSchema: { of(ref: unknown): unknown };
}

const bundledModels = new Map<ModeledService, BundledModel>();

/** Takes a service's model from a bundle instead of the installed client. */
export function useBundledModel(service: ModeledService, model: BundledModel): void {
  bundledModels.set(service, model);
  models.delete(service);
}

export class ServiceModel {
  /** The model of a service, loaded on first use from the installed client. */
  public static of(service: ModeledService): ServiceModel {
    let model = models.get(service);
    if (!model) {
      model = new ServiceModel(service);
      models.set(service, model);
    }
    return model;
  }

  public readonly protocol: Protocol;
  private readonly exports: Record<string, unknown>;
  private readonly normalize: (ref: unknown) => Schema;
  private typesLoaded?: ClientTypes;

  private constructor(public readonly service: ModeledService) {
    const { pkg, protocol } = CLIENTS[service];
    this.protocol = protocol;
    const bundled = bundledModels.get(service);
    if (bundled) {
      this.exports = { ...bundled.schemas };
      this.normalize = (ref) => bundled.normalizedSchema.of(ref) as Schema;
      return;
    }
    const load = createRequire(__filename);
    const entry = load.resolve(pkg);
    this.exports = load(entry);
    // The SDK's own copy of @smithy/core, as the client resolves it.
    const { NormalizedSchema } = createRequire(entry)('@smithy/core/schema');
    this.normalize = (ref) => NormalizedSchema.of(ref);
  }

  /** Enum uses, declared shapes and errors: parsed from the client's declarations on first use. */
  public get types(): ClientTypes {
    return (this.typesLoaded ??= clientTypes(CLIENTS[this.service].pkg));
  }

  public hasOperation(operation: string): boolean {
    const op = this.exports[`${operation}$`];
    return Array.isArray(op) && op[0] === 9;
  }

  /** The operation's http trait: [method, path, success status] (REST protocols). */
  public http(operation: string): [string, string, number] | undefined {
    return this.operationSchema(operation).traits.http;
  }

  /** The operation's output structure. */
  public output(operation: string): Schema {
    return this.operationSchema(operation).output;
  }

  /** A modeled error shape, by code; undefined when the service does not model it. */
  public errorSchema(code: string): Schema | undefined {
    const error = this.exports[`${code}$`];
    return Array.isArray(error) && error[0] === -3 ? this.normalize(error) : undefined;
  }

  /** The errors an operation declares (its command's `@throws`). */
  public declaredErrors(operation: string): readonly string[] {
    return this.types.errors[operation] ?? [];
  }

  /** Violations of a successful response; empty when it is as the model says. */
  public checkOutput(operation: string, response: ResponseParts): string[] {
    if (!this.hasOperation(operation)) return [`${operation} is not an operation of the ${this.service} model`];
    const out: string[] = [];
    const where = `${operation} response`;
    const http = this.http(operation);
    if (http && response.status !== http[2]) out.push(`${where}: HTTP status ${response.status}, but the model says ${http[2]}`);
    const output = this.output(operation);
    if (this.protocol === 'restXml') {
      // S3: the output object, header-bound members included, before it is serialized.
      this.walker(out, 'object').value(output, response.body ?? {}, where);
    } else if (this.protocol === 'restJson1') {
      this.checkRestJson(output, response, where, out);
    } else {
      this.walker(out, 'json').value(output, response.body ?? {}, where);
    }
    return out;
  }

  /** Violations of an error response. `body` is the JSON body (JSON protocols) or S3's error fields. */
  public checkError(operation: string, code: string, response: ResponseParts): string[] {
    const out: string[] = [];
    const where = `${operation} error ${code}`;
    const schema = this.errorSchema(code);
    const declared = this.declaredErrors(operation).includes(code);
    const modeledStatus = schema?.getMergedTraits().httpError as number | undefined;
    // awsJson1_1 carries the error in the body's __type; its status is not the httpError trait
    // (Personalize answers 400 for the errors its model marks 404, 403 or 409).
    const checkStatus = (expected: number | undefined) => {
      if (this.protocol !== 'awsJson1_1' && expected !== undefined && response.status !== expected) {
        out.push(`${where}: HTTP status ${response.status}, but the model says ${expected}`);
      }
    };

    if (this.service === 's3') {
      const documented = S3_DOCUMENTED_ERRORS[code];
      if (schema) checkStatus(modeledStatus);
      else if (documented !== undefined) checkStatus(documented);
      else out.push(`${where}: S3 neither models nor documents this error code`);
      return out;
    }

    const body = { ...(response.body as Record<string, unknown> ?? {}) };
    delete body.__type; // awsJson1_1: the error's name, not a member
    if (schema && declared) {
      checkStatus(modeledStatus);
      this.walker(out, 'json').value(schema, body, where);
    } else if (COMMON_JSON_ERRORS[code] !== undefined && !(schema && !declared)) {
      checkStatus(COMMON_JSON_ERRORS[code]);
      const extra = Object.keys(body).filter((k) => !['message', 'Message'].includes(k));
      if (extra.length > 0) out.push(`${where}: a common error carries message only, not ${extra.join(', ')}`);
    } else if (schema) {
      out.push(`${where}: ${operation} does not declare ${code} (it declares ${this.declaredErrors(operation).join(', ') || 'none'})`);
    } else {
      out.push(`${where}: the ${this.service} model has no such error, and it is not a common error`);
    }
    return out;
  }

  private operationSchema(operation: string): { traits: Record<string, any>; output: Schema } {
    const op = this.exports[`${operation}$`] as [number, string, string, Record<string, any> | number, () => unknown, () => unknown];
    if (!this.hasOperation(operation)) throw new Error(`${operation} is not an operation of the ${this.service} model`);
    return { traits: typeof op[3] === 'object' ? op[3] : {}, output: this.normalize(op[5]) };
  }

  /** restJson1: members bound to headers or the status are not in the body; a payload member is the body. */
  private checkRestJson(output: Schema, response: ResponseParts, where: string, out: string[]): void {
    const walker = this.walker(out, 'json');
    const members = [...output.structIterator()];
    const required = requiredCount(output);
    const bodyMembers: string[] = [];
    for (const [i, [name, member]] of members.entries()) {
      const traits = member.getMergedTraits();
      if (traits.httpHeader !== undefined) {
        if (i < required && response.headers[String(traits.httpHeader).toLowerCase()] === undefined) {
          out.push(`${where}: required member ${name} (header ${traits.httpHeader}) is missing`);
        }
      } else if (traits.httpPayload) {
        walker.value(member, response.body, `${where}.${name} (payload)`);
        return;
      } else if (!traits.httpResponseCode && !traits.httpPrefixHeaders) {
        bodyMembers.push(name);
      }
    }
    walker.struct(output, response.body ?? {}, where, bodyMembers);
  }

  private walker(out: string[], mode: 'json' | 'object'): Walker {
    return new Walker(this.types, this.protocol === 'restJson1', mode, out);
  }
}

/** How many of a structure's members (the leading ones) are required. */
function requiredCount(struct: Schema): number {
  const raw = struct.getSchema() as unknown[];
  return Array.isArray(raw) && typeof raw[6] === 'number' ? raw[6] : 0;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a Date';
  if (Buffer.isBuffer(value)) return 'bytes';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !Buffer.isBuffer(value);
}

const NON_FINITE = ['NaN', 'Infinity', '-Infinity'];

/** Walks a value along its schema, noting every way it departs from it. */
class Walker {
  constructor(
    private readonly types: ClientTypes,
    /** restJson1: members go by their jsonName on the wire. */
    private readonly jsonNames: boolean,
    /** `json`: a parsed JSON body (timestamps are epoch seconds); `object`: SDK-style values (Date, Buffer). */
    private readonly mode: 'json' | 'object',
    private readonly out: string[],
  ) {}

  value(schema: Schema, value: unknown, path: string, use?: EnumUse): void {
    if (value === undefined) return;
    if (value === null) {
      this.out.push(`${path}: null (the service leaves a member out rather than sending null)`);
      return;
    }
    if (schema.isDocumentSchema()) return; // any JSON value
    if (schema.isStructSchema()) {
      this.struct(schema, value, path);
    } else if (schema.isListSchema()) {
      if (!Array.isArray(value)) return this.wrongType(path, 'a list', value);
      const element = schema.getValueSchema();
      const sparse = !!element.getMergedTraits().sparse;
      value.forEach((v, i) => {
        if (v === null && sparse) return;
        this.value(element, v ?? null, `${path}[${i}]`, use && { name: use.name, values: use.values });
      });
    } else if (schema.isMapSchema()) {
      if (!isPlainObject(value)) return this.wrongType(path, 'a map (object)', value);
      const element = schema.getValueSchema();
      const sparse = !!element.getMergedTraits().sparse;
      for (const [key, v] of Object.entries(value)) {
        if (use?.keys && !use.keys.includes(key)) this.out.push(`${path}: key '${key}' is not a ${use.name} (${use.keys.join(', ')})`);
        if (v === null && sparse) continue;
        this.value(element, v ?? null, `${path}.${key}`, use?.values ? { name: use.name, values: use.values } : undefined);
      }
    } else if (schema.isTimestampSchema()) {
      this.timestamp(schema, value, path);
    } else if (schema.isBlobSchema()) {
      const ok = this.mode === 'object' ? typeof value === 'string' || value instanceof Uint8Array : typeof value === 'string';
      if (!ok) this.wrongType(path, this.mode === 'object' ? 'bytes' : 'a base64 string', value);
    } else if (schema.isStringSchema()) {
      if (typeof value !== 'string') return this.wrongType(path, 'a string', value);
      if (use?.values && !use.values.includes(value)) {
        this.out.push(`${path}: '${value}' is not a ${use.name} (${use.values.join(', ')})`);
      }
    } else if (schema.isBooleanSchema()) {
      if (typeof value !== 'boolean') this.wrongType(path, 'a boolean', value);
    } else if (schema.isNumericSchema() || schema.isBigIntegerSchema() || schema.isBigDecimalSchema()) {
      const ok = typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && NON_FINITE.includes(value));
      if (!ok) this.wrongType(path, 'a number', value);
    } else if (!schema.isUnitSchema()) {
      this.out.push(`${path}: the check does not know the schema ${String(schema.getName(true))}`);
    }
  }

  /** A structure or union: known members only, required ones present, a union with one member set. */
  struct(schema: Schema, value: unknown, path: string, only?: readonly string[]): void {
    if (!isPlainObject(value)) return this.wrongType(path, `a ${schema.getName()} (object)`, value);
    const shape = schema.getName() ?? '?';
    if (!this.types.shapes.includes(shape)) {
      this.out.push(`${path}: the client declares no type for ${shape}, so its enum members cannot be checked`);
    }
    const required = requiredCount(schema);
    const all = [...schema.structIterator()]
      .map(([name, member], i) => ({ name, member, required: i < required, wire: this.wireName(name, member) }));
    const members = all.filter((m) => !only || only.includes(m.name));
    const byWire = new Map(members.map((m) => [m.wire, m]));
    for (const key of Object.keys(value)) {
      if (value[key] === undefined || byWire.has(key)) continue;
      if (all.some((m) => m.wire === key)) {
        this.out.push(`${path}: member '${key}' of ${shape} is bound to a header or the status code, not the body`);
      } else {
        this.out.push(`${path}: ${shape} has no member '${key}' (it has: ${members.map((m) => m.wire).join(', ') || 'none'})`);
      }
    }
    for (const m of members) {
      const v = value[m.wire];
      if (v === undefined) {
        if (m.required) this.out.push(`${path}: required member '${m.wire}' of ${shape} is missing`);
        continue;
      }
      this.value(m.member, v, `${path}.${m.wire}`, this.types.enums[shape]?.[m.name]);
    }
    if (schema.isUnionSchema()) {
      const set = members.filter((m) => value[m.wire] !== undefined).length;
      if (set !== 1) this.out.push(`${path}: the union ${shape} needs exactly one member set, not ${set}`);
    }
  }

  private wireName(name: string, member: Schema): string {
    return this.jsonNames ? (member.getMergedTraits().jsonName ?? name) : name;
  }

  /** The schema's format: 4 is the protocol's default (epoch seconds in JSON), 5 date-time, 6 http-date, 7 epoch seconds. */
  private timestamp(schema: Schema, value: unknown, path: string): void {
    if (this.mode === 'object') {
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) this.wrongType(path, 'a Date', value);
      return;
    }
    const format = schema.getSchema() as number;
    if (format === 5) {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) this.wrongType(path, 'an ISO 8601 date-time string', value);
    } else if (format === 6) {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) this.wrongType(path, 'an HTTP date string', value);
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.wrongType(path, 'epoch seconds (a number)', value);
    }
  }

  private wrongType(path: string, expected: string, value: unknown): void {
    this.out.push(`${path}: expected ${expected}, got ${kindOf(value)}`);
  }
}
