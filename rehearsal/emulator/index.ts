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
 */
import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { AgentCoreService } from './agentcore';
import { Fault, Faults, FaultSpec, REQUEST_FAULTS } from './faults';
import { PersonalizeService } from './personalize';
import {
  ApiError, CallContext, CallRecord, DelayOptions, Inspector, Limits, ResourceInfo, Runtime, Scheduler, ServiceName,
} from './state';

export type { CallRecord, DelayOptions, Fault, FaultSpec, Limits, ResourceInfo, ServiceName };
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

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const target = header(req, 'x-amz-target');
    const ctx = (service: CallRecord['service'], operation: string): CallContext => ({
      region: signingRegion(req) ?? defaultRegion,
      call: inspector.startCall(service, operation),
    });

    if (target !== undefined) {
      const operation = target.startsWith('AmazonPersonalize.') ? target.substring('AmazonPersonalize.'.length) : target;
      const context = ctx(personalize.has(operation) ? 'personalize' : 'unknown', operation);
      const result = run(context, 'personalize', operation, () => {
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
    const result = run(context, 'agentcore', context.call.operation, () => {
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

  /** Resolves the request, applies request faults, runs it, and notes the outcome on the call record. */
  function run(context: CallContext, service: ServiceName, operation: string,
    prepare: () => { input: unknown; target: { name?: string; arn?: string }; execute: () => unknown }):
    { output?: unknown; error?: ApiError } {
    try {
      const { target, execute } = prepare();
      context.call.name = target.name;
      context.call.resource = target.arn;
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
    release: (resource) => faults.release(resource),
    reset: () => {
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
