/**
 * A local emulator of Amazon Personalize, the Amazon Bedrock AgentCore control plane (evaluation
 * datasets) and Amazon S3 (objects), speaking their wire protocols over HTTP on the loopback
 * interface, so that the real AWS SDK v3 clients (and the custom-resource handlers built on them)
 * can be driven through an endpoint override.
 *
 *   const emu = await startEmulator({ delays: { step: 10 }, checkModel: true });
 *   const personalize = new PersonalizeClient({ endpoint: emu.url, region: 'us-east-1', credentials });
 *   Object.assign(process.env, emu.env); // or: AWS_ENDPOINT_URL_PERSONALIZE and friends
 *   emu.faults.add({ operation: 'DescribeDatasetGroup', kind: 'throttle', times: 3 });
 *   ...
 *   await emu.close();
 *
 * One server serves all three: Personalize requests are `POST /` with `X-Amz-Target:
 * AmazonPersonalize.<Operation>` (awsJson1_1); S3 requests are path-style `/<bucket>/<key>`,
 * recognized by their SigV4 signing service `s3` (or S3's `x-id` / `list-type` query parameters);
 * everything else is routed as AgentCore REST JSON. Requests are not authenticated; the signing
 * region (from the Authorization header) picks the region in the ARNs.
 *
 * With `checkModel`, every response is checked against the SDK's own model of its operation
 * (model.ts) before it is sent; a response that departs from it is an emulator bug, answered
 * instead with a 500 that names the member and the operation, and listed by modelViolations().
 *
 * With `principals`, every call is authorized as IAM would before it runs: the access key it was
 * signed with names the caller, each service derives the IAM requests the call makes
 * (`authorization()`), and the caller's identity-based policies decide (rehearsal/iam/). A denied
 * call gets the service's own AccessDenied error.
 *
 * With `rateLimit`, each service refuses requests beyond its per-account rate with its own
 * throttling error (rate-limit.ts); throttled() counts them.
 */
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { AgentCoreService } from './agentcore';
import { DELIVERY_FAULTS, Fault, Faults, FaultSpec, REQUEST_FAULTS } from './faults';
import { ServiceModel } from './model';
import { ObjectInfo, ObjectStore } from './objects';
import { PersonalizeService } from './personalize';
import { RateLimiter, RateLimitOptions, ThrottleCounters } from './rate-limit';
import { S3Service } from './s3';
import { encodeError as encodeS3Error, encodeOutput as encodeS3Output } from './s3-xml';
import {
  ApiError, AuthorizingService, CallContext, CallRecord, DelayOptions, IamRequest, Inspector, Limits, ResourceInfo, Runtime, Scheduler, ServiceName,
} from './state';
import { authorize } from '../iam/authorize';
import type { PolicyDocument } from '../iam/policy';

export type {
  AuthorizingService, CallRecord, DelayOptions, Fault, FaultSpec, IamRequest, Limits, ObjectInfo, PolicyDocument, RateLimitOptions, ResourceInfo,
  ServiceName, ThrottleCounters,
};
export type { FaultKind, Faults } from './faults';

/** How long an idle client connection is kept open. */
const IDLE_CONNECTION_MS = 60_000;

export interface EmulatorOptions {
  /** Interface to listen on: loopback only (127.0.0.1, ::1 or localhost). Default 127.0.0.1. */
  readonly host?: string;
  /** Port; default 0, an ephemeral port. */
  readonly port?: number;
  /** Region used in ARNs when a request carries no SigV4 signature. Default us-east-1. */
  readonly region?: string;
  /** Account id in ARNs. Default 123456789012. */
  readonly account?: string;
  /** Transition step delays. Default 20 ms per step. */
  readonly delays?: DelayOptions;
  /** Resource quotas to enforce. Default none. */
  readonly limits?: Limits;
  /**
   * Objects to seed the store with (again on every reset): s3 uri > text. S3 serves them, and
   * AgentCore's `s3Source` reads them (JSONL); a uri that is not in the store fails with
   * ValidationException.
   */
  readonly s3?: Readonly<Record<string, string>>;
  /** Check AgentCore examples against their schemaType's required fields. Default true. */
  readonly validateExamples?: boolean;
  /**
   * Check every response against the SDK's model of its operation (member names, required members,
   * types, enum values, status codes, declared errors) before sending it. A response that departs
   * from the model is an emulator bug: it is answered with a 500 (InternalFailure, InternalServerException
   * or InternalError) whose message names the operation and the member, and listed by modelViolations().
   * Loads the SDK clients' schemas, and their type declarations once per client version. Default false.
   */
  readonly checkModel?: boolean;
  /**
   * The clock whose times the services report (a rehearsal gives the handlers' scaled clock, so
   * that a status's updatedAt compares with the handlers' own times as on AWS).
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * Who signs with an access key id: calls signed by a known principal are authorized against its
   * policies; `undefined` leaves the caller unchecked (a test's own inspection client). Default:
   * nothing is checked.
   */
  readonly principals?: (accessKeyId: string) => EmulatedPrincipal | undefined;
  /**
   * Per-account request-rate limits, by service (a token bucket each): a request beyond the rate
   * gets the service's throttling error, as when a large stack polls many resources at once.
   * Default: no limit.
   */
  readonly rateLimit?: RateLimitOptions;
}

/** A caller the emulator authorizes, e.g. the role a custom-resource handler runs with. */
export interface EmulatedPrincipal {
  /** e.g. arn:aws:sts::123456789012:assumed-role/<role name>/<session>: named in denials. */
  readonly arn: string;
  /** The identity-based policy documents in force now (read at each call: an update may change them). */
  policies(): readonly PolicyDocument[];
}

/** One call the IAM check refused. */
export interface AuthorizationDenial {
  readonly operation: string;
  readonly action: string;
  readonly resource: string;
  readonly principal: string;
}

/** A denied call in one line: the operation, who asked, and what its policies do not allow. */
export function denialLine(denial: AuthorizationDenial): string {
  return `${denial.operation}: ${denial.principal} is not allowed ${denial.action} on ${denial.resource}`;
}

/** What the IAM check did since the last reset. */
export interface AuthorizationCounters {
  /** Calls whose caller was a known principal, so that its policies were checked. */
  readonly checked: number;
  /** Of those, the calls refused with AccessDenied. */
  readonly denied: number;
  readonly denials: AuthorizationDenial[];
}

/** A response the emulator was about to send that departs from the SDK's model: an emulator bug. */
export interface ModelViolation {
  readonly service: ServiceName;
  readonly operation: string;
  /** The call record's seq. */
  readonly seq: number;
  /** What departs from the model, e.g. `GetDataset response.status: 'READY' is not a DatasetStatus (...)`. */
  readonly message: string;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`: the endpoint for both clients. */
  readonly url: string;
  readonly port: number;
  /** The endpoint environment variables the SDK reads, pointing at this emulator. */
  readonly env: Readonly<Record<string, string>>;
  /** Switch faults on and off at runtime. */
  readonly faults: Faults;

  /** Every resource ever created since the last reset (deleted ones with status DELETED). */
  resources(filter?: { service?: ServiceName; type?: string }): ResourceInfo[];
  /** One resource, by ARN, service id (AgentCore datasetId) or name (the most recent). */
  resource(ref: string): ResourceInfo | undefined;
  /** Every call received, in order. */
  calls(filter?: { service?: ServiceName; operation?: string }): CallRecord[];
  /** Calls per operation: keys `<service>:<Operation>`, or `<Operation>` when a service is given. */
  counts(service?: ServiceName): Record<string, number>;
  /** The last moment the resource turned ACTIVE (epoch ms). */
  activeAt(ref: string): number | undefined;
  /** Resolves once the resource reaches the status (DELETED once gone); rejects after timeoutMs. */
  waitFor(ref: string, status: string, timeoutMs?: number): Promise<ResourceInfo>;
  /** Calls checked against their caller's IAM policies, and those denied (since the last reset). */
  authorization(): AuthorizationCounters;
  /** Calls the rate limit refused (since the last reset), by service and operation. */
  throttled(): ThrottleCounters;
  /** The object store (S3, and AgentCore's s3Source), by bucket then key. */
  objects(filter?: { bucket?: string; prefix?: string }): ObjectInfo[];
  /** One object, by s3 uri. */
  object(uri: string): ObjectInfo | undefined;
  /** Puts an object in the store (until the next reset, which keeps only the `s3` option's objects). */
  putObject(uri: string, body: string | Buffer, contentType?: string): ObjectInfo;
  /** Responses that departed from the SDK's model (with `checkModel`); they were answered with a 500. */
  modelViolations(): ModelViolation[];
  /** Lets stuck deletions go on (all, or those of one resource); returns how many. */
  release(resource?: string | RegExp): number;
  /**
   * Forgets every resource, call, fault and model violation, stops every pending transition, and
   * puts the object store back to the seeded objects.
   */
  reset(): void;
  /** Stops the server: connections are closed, unanswered requests included. */
  close(): Promise<void>;
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];
const MODELED: readonly ServiceName[] = ['personalize', 'agentcore', 's3'];

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.includes(host)) throw new Error(`The emulator listens on the loopback interface only, not ${host}`);
  const defaultRegion = options.region ?? 'us-east-1';

  // One clock for what the services report, record and stamp on their answers (Date).
  const now = options.clock ?? Date.now;
  const scheduler = new Scheduler();
  const inspector = new Inspector(now);
  const faults = new Faults((match) => scheduler.release(match));
  const objects = new ObjectStore(options.s3 ?? {}, now);
  const runtime: Runtime = {
    account: options.account ?? '123456789012',
    delays: options.delays ?? {},
    limits: options.limits ?? {},
    inspector,
    scheduler,
    faults,
    now,
  };
  const personalize = new PersonalizeService(runtime);
  const agentcore = new AgentCoreService(runtime, { objects, validateExamples: options.validateExamples ?? true });
  const s3 = new S3Service(objects);
  const violations: ModelViolation[] = [];
  // Load the models now: a first check that loads them would delay an answer past the transitions it started.
  if (options.checkModel) MODELED.forEach((service) => ServiceModel.of(service).types);
  const rateLimiter = options.rateLimit && new RateLimiter(options.rateLimit,
    (service, operation, error) => ServiceModel.of(service).declaredErrors(operation).includes(error));
  // The throttling error depends on the errors Personalize's operations declare: load them now too.
  if (options.rateLimit?.requestsPerSecond.personalize !== undefined) void ServiceModel.of('personalize').types;
  /** Answers held back by slow-response faults: cleared by close(). */
  const held = new Set<NodeJS.Timeout>();

  const counters = { checked: 0, denied: 0, denials: [] as AuthorizationDenial[] };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const text = raw.toString('utf8');
    const target = header(req, 'x-amz-target');
    const ctx = (service: CallRecord['service'], operation: string): CallContext => ({
      region: signingRegion(req) ?? defaultRegion,
      call: inspector.startCall(service, operation),
      accessKeyId: accessKeyId(req),
    });

    if (target !== undefined) {
      const operation = target.startsWith('AmazonPersonalize.') ? target.substring('AmazonPersonalize.'.length) : target;
      const known = personalize.has(operation);
      const context = ctx(known ? 'personalize' : 'unknown', operation);
      const result = run(context, 'personalize', operation, personalize, () => {
        if (!known) throw new ApiError('UnknownOperationException', `Unknown operation ${target}`);
        const input = parseJson(text, 'SerializationException');
        return { input, target: personalize.target(operation, input), execute: () => personalize.handle(operation, input, context) };
      });
      deliver(res, context, result, () => {
        if (result.error) {
          const { code, message, status, extra } = result.error;
          return json(status ?? 400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code },
            { __type: `com.amazonaws.personalize#${code}`, message, ...extra }, code);
        }
        return json(200, { 'content-type': 'application/x-amz-json-1.1' }, result.output ?? {});
      }, known ? 'personalize' : undefined);
      return;
    }

    const url = new URL(req.url ?? '/', 'http://emulator');
    const rawPath = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';

    if (isS3Request(req, url)) {
      let routed: ReturnType<S3Service['route']>;
      let parseError: ApiError | undefined;
      try {
        routed = s3.route(method, rawPath, url.searchParams, req.headers, raw);
      } catch {
        parseError = new ApiError('InvalidArgument', 'The request path is not valid URL encoding.', 400);
      }
      const context = ctx(routed ? 's3' : 'unknown', routed?.operation ?? `${method} ${rawPath}`);
      const result = run(context, 's3', context.call.operation, s3, () => {
        if (parseError) throw parseError;
        if (!routed) throw new ApiError('NotImplemented', `The emulator does not implement ${method} ${rawPath}${url.search}.`, 501);
        const { operation, input } = routed;
        return { input, target: s3.target(operation, input), execute: () => s3.handle(operation, input) };
      });
      deliver(res, context, result, () => {
        if (result.error) {
          const { code, message, status, extra } = result.error;
          // HEAD answers carry no body: the SDK reads the status alone (404 NotFound, 403 Forbidden).
          const body = method === 'HEAD' ? Buffer.alloc(0) : encodeS3Error(code, message, extra, context.call.requestId);
          return { status: status ?? 400, headers: { 'content-type': 'application/xml' }, body, error: code, errorFields: { ...extra, Message: message } };
        }
        const output = (result.output ?? {}) as Record<string, unknown>;
        const encoded = encodeS3Output(ServiceModel.of('s3'), context.call.operation, output);
        return { ...encoded, modelBody: output };
      }, routed ? 's3' : undefined);
      return;
    }

    let routed: ReturnType<AgentCoreService['route']>;
    let parseError: ApiError | undefined;
    try {
      routed = agentcore.route(method, rawPath, url.searchParams, text ? parseJson(text, 'ValidationException') : {});
    } catch (error) {
      parseError = error instanceof ApiError ? error : new ApiError('ValidationException', 'Malformed request path');
    }
    const context = ctx(routed ? 'agentcore' : 'unknown', routed?.operation ?? `${method} ${rawPath}`);
    const result = run(context, 'agentcore', context.call.operation, agentcore, () => {
      if (parseError) throw parseError;
      if (!routed) throw new ApiError('UnknownOperationException', `No operation at ${method} ${rawPath}`, 404);
      const { operation, input } = routed;
      return { input, target: agentcore.target(operation, input), execute: () => agentcore.handle(operation, input, context) };
    });
    deliver(res, context, result, () => {
      if (result.error) {
        const { code, message, status, extra } = result.error;
        return json(status ?? agentcore.statusOf(code), { 'content-type': 'application/json', 'x-amzn-errortype': code }, { message, ...extra }, code);
      }
      if (routed!.status === 204) return { status: 204, headers: {}, body: Buffer.alloc(0), modelBody: {} };
      return json(routed!.status, { 'content-type': 'application/json' }, result.output ?? {});
    }, routed ? 'agentcore' : undefined);
  }

  /**
   * Resolves the request, authorizes it (when its caller is a known principal), applies request
   * faults, runs it, and notes the outcome on the call record. `handler` is the service that
   * handles the call: it gives the call's IAM requests.
   */
  function run(context: CallContext, service: ServiceName, operation: string, handler: AuthorizingService,
    prepare: () => { input: unknown; target: { name?: string; arn?: string }; execute: () => unknown }): Outcome {
    let delivery: Fault | undefined;
    try {
      const { input, target, execute } = prepare();
      context.call.name = target.name;
      context.call.resource = target.arn;
      if (rateLimiter) admit(context, service, operation);
      authorizeCall(context, service, operation, handler, input as Record<string, any>);
      const fault = faults.take(REQUEST_FAULTS, { service, operation, ...target });
      if (fault) throw requestFault(service, fault);
      delivery = faults.take(DELIVERY_FAULTS, { service, operation, ...target });
      if (delivery?.spec.kind === 'no-response' && !delivery.spec.executes) return { delivery };
      const output = execute();
      if (output && typeof output === 'object') {
        const o = output as Record<string, unknown>;
        const arn = [o.datasetGroupArn, o.schemaArn, o.datasetArn, o.datasetImportJobArn, o.eventTrackerArn].find((v) => typeof v === 'string');
        context.call.resource ??= arn as string | undefined; // creates: the new resource's ARN
      }
      return { output, delivery };
    } catch (error) {
      if (error instanceof ApiError) return { error, delivery };
      const message = error instanceof Error ? error.message : String(error);
      return { error: internalError(service, message), delivery };
    }
  }

  /** Throws the service's throttling error when the request is beyond the account's rate, and marks the call. */
  function admit(context: CallContext, service: ServiceName, operation: string): void {
    try {
      rateLimiter!.admit(runtime.account, service, operation);
    } catch (error) {
      context.call.rateLimited = true;
      throw error;
    }
  }

  /** Throws the service's AccessDenied error when the caller's policies do not allow the call. */
  function authorizeCall(context: CallContext, service: ServiceName, operation: string, handler: AuthorizingService,
    input: Record<string, any>): void {
    if (!options.principals || context.accessKeyId === undefined) return;
    const principal = options.principals(context.accessKeyId);
    if (!principal) return;
    const requests: IamRequest[] = handler.authorization(operation, input ?? {}, context);
    // A mapping that disagrees with the reference (AuthorizationMappingError) or a policy the
    // evaluator cannot decide throws: the call fails with a 500 that names the problem.
    const result = authorize(principal.arn, principal.policies(), requests, {
      operation: `${service}:${operation}`,
      context: globalContext(principal.arn, context.region),
    });
    counters.checked++;
    context.call.checked = true;
    if (result.allowed) return;
    const { action, resource, message } = result.denial!;
    counters.denied++;
    counters.denials.push({ operation, action, resource, principal: principal.arn });
    context.call.denied = { action, resource };
    throw accessDenied(service, message);
  }

  /**
   * Writes the answer: at once, `delayMs` later (slow-response) or never (no-response). With
   * checkModel, the answer is first checked against the SDK's model of the operation.
   */
  function deliver(res: ServerResponse, context: CallContext, outcome: Outcome, encode: () => Wire, modeled?: ServiceName): void {
    const { call } = context;
    const kind = outcome.delivery?.spec.kind;
    if (kind === 'no-response') {
      call.delivery = 'no-response';
      return; // the socket stays open until the client gives up or close() ends it
    }
    let wire = encode();
    if (options.checkModel && modeled) wire = checked(modeled, call, wire);
    if (kind === 'slow-response') {
      call.delivery = 'slow-response';
      const timer = setTimeout(() => {
        held.delete(timer);
        if (!res.destroyed) send(res, call, wire, now());
      }, outcome.delivery!.spec.delayMs);
      held.add(timer);
      return;
    }
    send(res, call, wire, now());
  }

  /** The answer if it is as the model says; else a 500 that names the violation, which is recorded. */
  function checked(service: ServiceName, call: CallRecord, wire: Wire): Wire {
    const model = ServiceModel.of(service);
    const parts = { status: wire.status, headers: wire.headers, body: wire.modelBody ?? wire.errorFields };
    let found: string[];
    try {
      found = wire.error ? model.checkError(call.operation, wire.error, parts) : model.checkOutput(call.operation, parts);
    } catch (error) {
      found = [`${call.operation}: the model check failed: ${error instanceof Error ? error.message : String(error)}`];
    }
    if (found.length === 0) return wire;
    found.forEach((message) => violations.push({ service, operation: call.operation, seq: call.seq, message }));
    const message = `Emulator bug: its ${call.operation} ${wire.error ? `${wire.error} error` : 'response'} departs from the AWS SDK's model `
      + `of ${service}: ${found.join('; ')}`;
    const error = internalError(service, message);
    if (service === 's3') {
      return { status: 500, headers: { 'content-type': 'application/xml' }, body: encodeS3Error(error.code, message, {}, call.requestId), error: error.code };
    }
    const type = service === 'personalize' ? { __type: `com.amazonaws.personalize#${error.code}` } : {};
    return json(500, { 'content-type': 'application/json', 'x-amzn-errortype': error.code }, { ...type, message }, error.code);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'application/json', 'date': new Date(now()).toUTCString() });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  // Idle connections are kept a minute, as AWS's endpoints keep them, not Node's 5 s: a client that
  // reuses one a few seconds later must not meet a reset the real endpoint would not send.
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === '::1' ? '[::1]' : host}:${port}`;

  const emulator: Emulator = {
    url,
    port,
    env: {
      AWS_ENDPOINT_URL_PERSONALIZE: url,
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: url,
      AWS_ENDPOINT_URL_S3: url,
    },
    faults,
    resources: (filter = {}) => inspector.resources()
      .filter((r) => (!filter.service || r.service === filter.service) && (!filter.type || r.type === filter.type)),
    resource: (ref) => inspector.find(ref),
    calls: (filter = {}) => inspector.calls()
      .filter((c) => (!filter.service || c.service === filter.service) && (!filter.operation || c.operation === filter.operation)),
    counts: (service) => {
      const counts: Record<string, number> = {};
      for (const call of inspector.calls()) {
        if (service && call.service !== service) continue;
        const key = service ? call.operation : `${call.service}:${call.operation}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    },
    activeAt: (ref) => inspector.find(ref)?.activeAt,
    waitFor: (ref, status, timeoutMs = 5000) => waitFor(inspector, ref, status, timeoutMs),
    authorization: () => ({ checked: counters.checked, denied: counters.denied, denials: [...counters.denials] }),
    throttled: () => rateLimiter?.counters() ?? { total: 0, byService: {} },
    objects: (filter = {}) => objects.all()
      .filter((o) => (!filter.bucket || o.bucket === filter.bucket) && (!filter.prefix || o.key.startsWith(filter.prefix))),
    object: (uri) => objects.getUri(uri),
    putObject: (uri, body, contentType) => objects.putUri(uri, body, { contentType }),
    modelViolations: () => [...violations],
    release: (resource) => faults.release(resource),
    reset: () => {
      counters.checked = 0;
      counters.denied = 0;
      counters.denials = [];
      rateLimiter?.reset();
      scheduler.clear();
      faults.clear();
      inspector.reset();
      personalize.reset();
      agentcore.reset();
      objects.reset();
      violations.length = 0;
    },
    close: async () => {
      scheduler.clear();
      held.forEach((timer) => clearTimeout(timer));
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return emulator;
}

/**
 * AccessDenied in each service's terms (the SDK clients' error shapes): Personalize (awsJson1_1)
 * does not model it, so it is the common AccessDeniedException, HTTP 400; AgentCore (restJson1)
 * models AccessDeniedException with httpError 403; S3 (restXml) models AccessDenied, 403.
 */
function accessDenied(service: string, message: string): ApiError {
  switch (service) {
    case 'personalize': return new ApiError('AccessDeniedException', message, 400);
    case 's3': return new ApiError('AccessDenied', message, 403);
    default: return new ApiError('AccessDeniedException', message, 403);
  }
}

/** What run() gives back: the operation's output or error, and a delivery fault that applies. */
interface Outcome {
  readonly output?: unknown;
  readonly error?: ApiError;
  readonly delivery?: Fault;
}

/** A response ready to write, and what the model check reads. */
interface Wire {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The error code, for an error response. */
  readonly error?: string;
  /** What the model check reads of a success: the JSON body as sent, or S3's output object. */
  readonly modelBody?: unknown;
  /** What the model check reads of an error: its JSON body, or S3's error fields. */
  readonly errorFields?: unknown;
}

/** A JSON response; the check reads the body as the client will parse it. */
function json(status: number, headers: Record<string, string>, body: unknown, error?: string): Wire {
  const payload = Buffer.from(JSON.stringify(body));
  const parsed = JSON.parse(payload.toString('utf8'));
  return error ? { status, headers, body: payload, error, errorFields: parsed } : { status, headers, body: payload, modelBody: parsed };
}

function internalError(service: ServiceName, message: string): ApiError {
  switch (service) {
    case 'personalize': return new ApiError('InternalFailure', message, 500);
    case 's3': return new ApiError('InternalError', message, 500);
    default: return new ApiError('InternalServerException', message, 500);
  }
}

/**
 * The global condition keys every request carries. aws:PrincipalArn of a role session is the
 * role's ARN (without its path, which the session ARN does not show).
 */
function globalContext(principalArn: string, region: string): Record<string, string> {
  const account = principalArn.split(':')[4];
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principalArn);
  return {
    'aws:PrincipalArn': session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : principalArn,
    ...(account ? { 'aws:PrincipalAccount': account } : {}),
    'aws:RequestedRegion': region,
  };
}

/**
 * S3's requests: signed for the `s3` service, or (unsigned) carrying the query parameters only S3's
 * operations send (`x-id=PutObject`, `list-type=2`).
 */
function isS3Request(req: IncomingMessage, url: URL): boolean {
  const service = signingService(req);
  if (service !== undefined) return service === 's3';
  return url.searchParams.has('x-id') || url.searchParams.has('list-type');
}

/** The error a request fault produces, in the service's own terms. */
function requestFault(service: ServiceName, fault: Fault): ApiError {
  const { spec } = fault;
  switch (spec.kind) {
    case 'throttle':
      if (service === 's3') return new ApiError('SlowDown', spec.message ?? 'Please reduce your request rate.', 503);
      return service === 'personalize'
        ? new ApiError('ThrottlingException', spec.message ?? 'Rate exceeded', 400)
        : new ApiError('ThrottlingException', spec.message ?? 'Rate exceeded', 429);
    case 'server-error': {
      const status = spec.status ?? 500;
      const message = spec.message ?? 'The service encountered an internal error (emulated).';
      // 503 is the common error ServiceUnavailable for every service; 500 is each service's own.
      if (status === 503) return new ApiError('ServiceUnavailable', message, status);
      return new ApiError(internalError(service, message).code, message, status);
    }
    default:
      return new ApiError(spec.error!, spec.message ?? `${spec.error} (emulated)`, spec.status ?? 400);
  }
}

function send(res: ServerResponse, call: CallRecord, wire: Wire, now: number): void {
  call.httpStatus = wire.status;
  call.durationMs = now - call.time;
  if (wire.error) call.error = wire.error;
  // HEAD answers declare the object's length (a header-bound member) and carry no body.
  const length = wire.headers['content-length'] ?? String(wire.body.length);
  const requestId = call.service === 's3' ? { 'x-amz-request-id': call.requestId } : { 'x-amzn-requestid': call.requestId };
  // The Date header is the services' clock: the SDK compares it with its own to correct a skewed
  // clock, and the handlers' clock runs at the rehearsal's pace, as the services' does.
  const date = new Date(now).toUTCString();
  res.writeHead(wire.status, { ...wire.headers, ...requestId, 'content-length': length, 'date': date });
  res.end(wire.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(text: string, errorCode: string): Record<string, any> {
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // fall through
  }
  throw new ApiError(errorCode, 'The request body is not a JSON object.', 400);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The access key id of a SigV4 signature: the Authorization header's
 * Credential=<key>/<date>/<region>/<service>/aws4_request, or a presigned URL's X-Amz-Credential.
 */
function accessKeyId(req: IncomingMessage): string | undefined {
  const fromHeader = /Credential=([^/,\s]+)\//.exec(header(req, 'authorization') ?? '')?.[1];
  if (fromHeader !== undefined) return fromHeader;
  const query = new URL(req.url ?? '/', 'http://emulator').searchParams.get('X-Amz-Credential');
  return query?.split('/')[0] || undefined;
}

/** The region from a SigV4 credential scope: Credential=<key>/<date>/<region>/<service>/aws4_request. */
function signingRegion(req: IncomingMessage): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(header(req, 'authorization') ?? '')?.[1];
}

/** The service from a SigV4 credential scope (`s3`, `personalize`, `bedrock-agentcore`). */
function signingService(req: IncomingMessage): string | undefined {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(header(req, 'authorization') ?? '')?.[1];
}

function waitFor(inspector: Inspector, ref: string, status: string, timeoutMs: number): Promise<ResourceInfo> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      const info = inspector.find(ref);
      if (info?.status === status) return resolve(info);
      if (Date.now() - started > timeoutMs) {
        return reject(new Error(`${ref} did not reach ${status} within ${timeoutMs} ms (status: ${info?.status ?? 'unknown'})`));
      }
      setTimeout(check, 5);
    };
    check();
  });
}
