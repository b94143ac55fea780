/**
 * A local emulator of Amazon Personalize and the Amazon Bedrock AgentCore control plane (evaluation
 * datasets), speaking their wire protocols over HTTP on the loopback interface, so that the real
 * AWS SDK v3 clients (and the custom-resource handlers built on them) can be driven through an
 * endpoint override.
 *
 *   const emu = await startEmulator({ delays: { step: 10 } });
 *   const personalize = new PersonalizeClient({ endpoint: emu.url, region: 'us-east-1', credentials });
 *   Object.assign(process.env, emu.env); // or: AWS_ENDPOINT_URL_PERSONALIZE and friends
 *   emu.faults.add({ operation: 'DescribeDatasetGroup', kind: 'throttle', times: 3 });
 *   ...
 *   await emu.close();
 *
 * One server serves both: Personalize requests are `POST /` with `X-Amz-Target:
 * AmazonPersonalize.<Operation>` (awsJson1_1); everything else is routed as AgentCore REST JSON.
 * Requests are not authenticated; the signing region (from the Authorization header) picks the
 * region in the ARNs.
 *
 * With `principals`, every call is authorized as IAM would before it runs: the access key it was
 * signed with names the caller, each service derives the IAM requests the call makes
 * (`authorization()`), and the caller's identity-based policies decide (rehearsal/iam/). A denied
 * call gets the service's own AccessDenied error.
 */
import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { AgentCoreService } from './agentcore';
import { Fault, Faults, FaultSpec, REQUEST_FAULTS } from './faults';
import { PersonalizeService } from './personalize';
import {
  ApiError, AuthorizingService, CallContext, CallRecord, DelayOptions, IamRequest, Inspector, Limits, ResourceInfo, Runtime, Scheduler, ServiceName,
} from './state';
import { authorize } from '../iam/authorize';
import type { PolicyDocument } from '../iam/policy';

export type { AuthorizingService, CallRecord, DelayOptions, Fault, FaultSpec, IamRequest, Limits, PolicyDocument, ResourceInfo, ServiceName };
export type { FaultKind, Faults } from './faults';

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
  /** AgentCore `s3Source` contents: s3 uri > JSONL text. Other uris fail with ValidationException. */
  readonly s3?: Readonly<Record<string, string>>;
  /** Check AgentCore examples against their schemaType's required fields. Default true. */
  readonly validateExamples?: boolean;
  /**
   * Who signs with an access key id: calls signed by a known principal are authorized against its
   * policies; `undefined` leaves the caller unchecked (a test's own inspection client). Default:
   * nothing is checked.
   */
  readonly principals?: (accessKeyId: string) => EmulatedPrincipal | undefined;
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

/** What the IAM check did since the last reset. */
export interface AuthorizationCounters {
  /** Calls whose caller was a known principal, so that its policies were checked. */
  readonly checked: number;
  /** Of those, the calls refused with AccessDenied. */
  readonly denied: number;
  readonly denials: AuthorizationDenial[];
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
  /** Lets stuck deletions go on (all, or those of one resource); returns how many. */
  release(resource?: string | RegExp): number;
  /** Forgets every resource, call and fault, and stops every pending transition. */
  reset(): void;
  close(): Promise<void>;
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.includes(host)) throw new Error(`The emulator listens on the loopback interface only, not ${host}`);
  const defaultRegion = options.region ?? 'us-east-1';

  const scheduler = new Scheduler();
  const inspector = new Inspector();
  const faults = new Faults((match) => scheduler.release(match));
  const runtime: Runtime = {
    account: options.account ?? '123456789012',
    delays: options.delays ?? {},
    limits: options.limits ?? {},
    inspector,
    scheduler,
    faults,
  };
  const personalize = new PersonalizeService(runtime);
  const agentcore = new AgentCoreService(runtime, { s3: options.s3 ?? {}, validateExamples: options.validateExamples ?? true });

  const counters = { checked: 0, denied: 0, denials: [] as AuthorizationDenial[] };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const target = header(req, 'x-amz-target');
    const ctx = (service: CallRecord['service'], operation: string): CallContext => ({
      region: signingRegion(req) ?? defaultRegion,
      call: inspector.startCall(service, operation),
      accessKeyId: accessKeyId(req),
    });

    if (target !== undefined) {
      const operation = target.startsWith('AmazonPersonalize.') ? target.substring('AmazonPersonalize.'.length) : target;
      const context = ctx(personalize.has(operation) ? 'personalize' : 'unknown', operation);
      const result = run(context, 'personalize', operation, personalize, () => {
        if (!personalize.has(operation)) throw new ApiError('UnknownOperationException', `Unknown operation ${target}`);
        const input = parseJson(text, 'SerializationException');
        return { input, target: personalize.target(operation, input), execute: () => personalize.handle(operation, input, context) };
      });
      if (result.error) {
        const { code, message, status, extra } = result.error;
        send(res, context.call, status ?? 400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code },
          { __type: `com.amazonaws.personalize#${code}`, message, ...extra });
      } else {
        send(res, context.call, 200, { 'content-type': 'application/x-amz-json-1.1' }, result.output ?? {});
      }
      return;
    }

    const url = new URL(req.url ?? '/', 'http://emulator');
    const rawPath = (req.url ?? '/').split('?')[0];
    let routed: ReturnType<AgentCoreService['route']>;
    let parseError: ApiError | undefined;
    try {
      routed = agentcore.route(req.method ?? 'GET', rawPath, url.searchParams, text ? parseJson(text, 'ValidationException') : {});
    } catch (error) {
      parseError = error instanceof ApiError ? error : new ApiError('ValidationException', 'Malformed request path');
    }
    const context = ctx(routed ? 'agentcore' : 'unknown', routed?.operation ?? `${req.method} ${rawPath}`);
    const result = run(context, 'agentcore', context.call.operation, agentcore, () => {
      if (parseError) throw parseError;
      if (!routed) throw new ApiError('UnknownOperationException', `No operation at ${req.method} ${rawPath}`, 404);
      const { operation, input } = routed;
      return { input, target: agentcore.target(operation, input), execute: () => agentcore.handle(operation, input, context) };
    });
    if (result.error) {
      const { code, message, status, extra } = result.error;
      send(res, context.call, status ?? agentcore.statusOf(code), { 'content-type': 'application/json', 'x-amzn-errortype': code },
        { message, ...extra });
    } else if (routed!.status === 204) {
      send(res, context.call, 204, {}, undefined);
    } else {
      send(res, context.call, routed!.status, { 'content-type': 'application/json' }, result.output ?? {});
    }
  }

  /**
   * Resolves the request, authorizes it (when its caller is a known principal), applies request
   * faults, runs it, and notes the outcome on the call record. `handler` is the service that
   * handles the call: it gives the call's IAM requests.
   */
  function run(context: CallContext, service: ServiceName, operation: string, handler: AuthorizingService,
    prepare: () => { input: unknown; target: { name?: string; arn?: string }; execute: () => unknown }):
    { output?: unknown; error?: ApiError } {
    try {
      const { input, target, execute } = prepare();
      context.call.name = target.name;
      context.call.resource = target.arn;
      authorizeCall(context, service, operation, handler, input as Record<string, any>);
      const fault = faults.take(REQUEST_FAULTS, { service, operation, ...target });
      if (fault) throw requestFault(service, fault);
      const output = execute();
      if (output && typeof output === 'object') {
        const o = output as Record<string, unknown>;
        const arn = [o.datasetGroupArn, o.schemaArn, o.datasetArn, o.datasetImportJobArn].find((v) => typeof v === 'string');
        context.call.resource ??= arn as string | undefined; // creates: the new resource's ARN
      }
      return { output };
    } catch (error) {
      if (error instanceof ApiError) return { error };
      const message = error instanceof Error ? error.message : String(error);
      return { error: new ApiError(service === 'personalize' ? 'InternalFailure' : 'InternalServerException', message, 500) };
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

  const server = createServer((req, res) => {
    serve(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
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
    release: (resource) => faults.release(resource),
    reset: () => {
      counters.checked = 0;
      counters.denied = 0;
      counters.denials = [];
      scheduler.clear();
      faults.clear();
      inspector.reset();
      personalize.reset();
      agentcore.reset();
    },
    close: async () => {
      scheduler.clear();
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

/** The error a request fault produces, in the service's own terms. */
function requestFault(service: ServiceName, fault: Fault): ApiError {
  const { spec } = fault;
  switch (spec.kind) {
    case 'throttle':
      return service === 'personalize'
        ? new ApiError('ThrottlingException', spec.message ?? 'Rate exceeded', 400)
        : new ApiError('ThrottlingException', spec.message ?? 'Rate exceeded', 429);
    case 'server-error': {
      const status = spec.status ?? 500;
      const code = service === 'personalize'
        ? (status === 503 ? 'ServiceUnavailableException' : 'InternalFailure')
        : (status === 503 ? 'ServiceUnavailableException' : 'InternalServerException');
      return new ApiError(code, spec.message ?? 'The service encountered an internal error (emulated).', status);
    }
    default:
      return new ApiError(spec.error!, spec.message ?? `${spec.error} (emulated)`, spec.status ?? 400);
  }
}

function send(res: ServerResponse, call: CallRecord, status: number, headers: Record<string, string>, body: unknown): void {
  call.httpStatus = status;
  call.durationMs = Date.now() - call.time;
  const payload = body === undefined ? '' : JSON.stringify(body);
  const errorType = headers['x-amzn-errortype'];
  if (errorType) call.error = errorType;
  res.writeHead(status, { ...headers, 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
