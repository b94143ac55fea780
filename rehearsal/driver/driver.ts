/**
 * The driver: plays CloudFormation against one stack of a synthesized cloud assembly. Custom
 * resources go through a re-enactment of the Provider framework that runs the user handlers in this
 * process; every other resource is simulated (it gets a plausible physical id and attributes).
 */
import * as crypto from 'crypto';
import { functionAssetDirectory, LoadedStack, loadStack, StackSource, TemplateResource } from './assembly';
import { Containers } from './containers';
import { dependenciesOf, evaluateCondition, resolve, ResolveContext, TemplateError, toCfnStrings, UnsupportedError } from './intrinsics';
import { LambdaFunction, LambdaHost } from './lambda';
import { ProviderSpec, runProvider } from './provider';
import { runGraph } from './schedule';
import { Environment, generatedName, partitionOf, simulatedAttribute, simulatedPhysicalId } from './simulate';
import {
  CfnRequest, CustomResourceDescription, DeployedResource, DriverOptions, DriverRecord, OperationName, OperationResult,
  ProgressEvent, RequestType, ResourceFailure, ResourceStatus, StackStatus,
} from './types';

/**
 * A resource as the driver believes it exists: what `resources()` reports of it (properties
 * resolved, for custom resources stringified as sent; attributes a custom resource's Data), and
 * where it came from.
 */
interface Entry extends Pick<DeployedResource, 'logicalId' | 'physicalId' | 'properties' | 'attributes'> {
  readonly type: string;
  /** The template definition and stack it was last deployed from (asset lookup, dependencies, policies). */
  readonly definition: TemplateResource;
  readonly stack: LoadedStack;
}

/** What an update did to a resource, so that a rollback can undo it. */
type Change = { kind: 'created' } | { kind: 'updated' | 'replaced'; attempted: Record<string, unknown> };

interface Deletion {
  readonly entry: Entry;
  readonly policy: 'DeletionPolicy' | 'UpdateReplacePolicy';
  /** Created by the operation deleting it (RetainExceptOnCreate does not retain it then). */
  readonly createdNow: boolean;
}

interface RequestOutcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalId?: string;
  readonly data: Record<string, unknown>;
  readonly reason?: string;
}

const STACK_TYPE = 'AWS::CloudFormation::Stack';
const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;
const RESPONSE_LIMIT_BYTES = 4096;

export function isCustomResourceType(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

export class Driver {
  /** What the driver did and believes; tests inspect it. */
  readonly record: DriverRecord = { events: [], requests: [], calls: [], retained: [], orphaned: [] };

  private readonly region: string;
  private readonly account: string;
  private readonly host: LambdaHost;
  private state = new Map<string, Entry>();
  private current?: LoadedStack;
  private stackId?: string;
  private stackStatus?: StackStatus;
  private stackOutputs: Record<string, unknown> = {};
  private op?: { name: OperationName; started: number; failures: ResourceFailure[] };
  private readonly containers?: Containers;
  /** Access keys handed to containers, each standing for an execution role (by its ARN). */
  private readonly roleOfAccessKey = new Map<string, string>();
  private readonly driverId = crypto.randomUUID();

  constructor(private readonly options: DriverOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
    const isolation = options.isolation ?? (options.requireModule ? 'in-process' : 'containers');
    if (isolation === 'containers') {
      this.containers = new Containers({
        env: options.env ?? {},
        timeScale: options.handlerTimeScale ?? options.timeScale ?? 1,
        clockAnchorMs: options.clockAnchorMs,
        log: (line, fn) => options.onHandlerLog?.(line, fn.logicalId),
      });
    }
    this.host = new LambdaHost({
      env: options.env ?? {},
      functionEnvironment: options.functionEnvironment ?? true,
      enforceTimeout: options.enforceLambdaTimeout ?? true,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      requireModule: options.requireModule ?? ((file) => require(file)),
      containers: this.containers && { runtime: this.containers, identityOf: (fn) => this.identityOf(fn) },
    });
  }

  /** Stops the functions' containers. */
  async close(): Promise<void> {
    await this.containers?.close();
  }

  /**
   * The caller an access key stands for: the execution role of the functions it was handed to, with
   * the identity-based policies the deployed template gives that role now (its policies, inline
   * and attached, as resolved). Undefined for a key this driver did not hand out.
   */
  principal(accessKeyId: string): { readonly arn: string; policies(): unknown[] } | undefined {
    const roleArn = this.roleOfAccessKey.get(accessKeyId);
    if (!roleArn) return undefined;
    const roleName = roleArn.substring(roleArn.lastIndexOf('/') + 1);
    return {
      arn: `arn:${roleArn.split(':')[1]}:sts::${roleArn.split(':')[4]}:assumed-role/${roleName}/rehearsal`,
      policies: () => this.policiesOfRole(roleArn),
    };
  }

  /** A function's container environment: credentials that stand for its execution role. */
  private identityOf(fn: LambdaFunction): { env: Record<string, string> } {
    const role = fn.roleArn ?? `unknown-role-of-${fn.logicalId}`;
    const key = `AKIA${crypto.createHash('sha256').update(`${this.driverId}|${role}`).digest('hex').slice(0, 16).toUpperCase()}`;
    this.roleOfAccessKey.set(key, role);
    return { env: { AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: 'rehearsal', AWS_SESSION_TOKEN: 'rehearsal' } };
  }

  /** The role's identity-based policy documents, from the resources the driver believes exist now. */
  private policiesOfRole(roleArn: string): unknown[] {
    const entries = [...this.state.values()];
    const role = entries.find((e) => e.type === 'AWS::IAM::Role'
      && simulatedAttribute(e.type, e.physicalId, e.properties, 'Arn', this.env(e.stack)) === roleArn);
    if (!role) return [];
    const attachedTo = (e: Entry) => Array.isArray(e.properties.Roles) && (e.properties.Roles as unknown[]).includes(role.physicalId);
    const inline = ((role.properties.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []).map((p) => p.PolicyDocument);
    const managedArns = (role.properties.ManagedPolicyArns as unknown[] | undefined) ?? [];
    return [
      ...inline,
      ...entries.filter((e) => e.type === 'AWS::IAM::Policy' && attachedTo(e)).map((e) => e.properties.PolicyDocument),
      ...entries.filter((e) => e.type === 'AWS::IAM::ManagedPolicy' && (attachedTo(e) || managedArns.includes(e.physicalId)))
        .map((e) => e.properties.PolicyDocument),
    ];
  }

  /** The stack's status, undefined before the first deploy. */
  get status(): StackStatus | undefined {
    return this.stackStatus;
  }

  get outputs(): Record<string, unknown> {
    return { ...this.stackOutputs };
  }

  /** Every resource the driver believes exists, simulated ones included. */
  resources(): DeployedResource[] {
    return [...this.state.values()].map((e) => ({
      logicalId: e.logicalId,
      resourceType: e.type,
      physicalId: e.physicalId,
      custom: isCustomResourceType(e.type),
      properties: e.properties,
      attributes: e.attributes,
    }));
  }

  /** Custom resources the driver believes exist: logical id to physical id. */
  physicalIds(): Record<string, string> {
    return Object.fromEntries(this.resources().filter((r) => r.custom).map((r) => [r.logicalId, r.physicalId]));
  }

  /** How each custom resource's Provider is wired in a template, as synthesized (nothing runs). */
  describe(source: StackSource, stackName?: string): CustomResourceDescription[] {
    const stack = loadStack(source, stackName);
    // Simulate every other resource so that service tokens and ARNs resolve; passes until nothing changes.
    const state = new Map<string, Entry>();
    const others = this.selectedIds(stack).filter((id) => !isCustomResourceType(stack.template.Resources[id].Type));
    for (let progress = true; progress;) {
      progress = false;
      for (const id of others.filter((i) => !state.has(i))) {
        try {
          state.set(id, this.simulatedEntry(stack, id, this.resolveProperties(stack, state, id)));
          progress = true;
        } catch {
          // depends on something not simulated yet
        }
      }
    }
    return this.selectedIds(stack)
      .filter((id) => isCustomResourceType(stack.template.Resources[id].Type))
      .map((id) => {
        const token = resolve(stack.template.Resources[id].Properties?.ServiceToken, this.context(stack, state));
        const spec = this.providerFor(String(token), state);
        const describeFn = (fn: LambdaFunction) => ({
          logicalId: fn.logicalId, handler: fn.handler, runtime: fn.runtime, codeDirectory: fn.codeDirectory, timeoutSeconds: fn.timeoutSeconds,
        });
        const waiter = spec?.waiter;
        return {
          logicalId: id,
          resourceType: stack.template.Resources[id].Type,
          provider: spec && {
            frameworkLogicalId: spec.frameworkLogicalId,
            onEvent: describeFn(spec.onEvent),
            isComplete: spec.isComplete && describeFn(spec.isComplete),
            waiter: waiter && {
              ...waiter,
              totalTimeoutSeconds: Array.from({ length: waiter.maxAttempts }, (_, k) => waiter.intervalSeconds * waiter.backoffRate ** k)
                .reduce((a, b) => a + b, 0),
            },
          },
        };
      });
  }

  /** Creates the stack. A failure rolls it back (ROLLBACK_COMPLETE); the result says so, it does not throw. */
  async deploy(source: StackSource, stackName?: string): Promise<OperationResult> {
    const stack = loadStack(source, stackName);
    if (this.stackStatus && this.stackStatus !== 'DELETE_COMPLETE') {
      throw new Error(`stack ${this.current?.stackName} already exists (${this.stackStatus}): update() or destroy() it`);
    }
    this.current = stack;
    this.state = new Map();
    this.stackOutputs = {};
    this.stackId = `arn:${this.env(stack).partition}:cloudformation:${this.region}:${this.account}:stack/${stack.stackName}/${crypto.randomUUID()}`;
    return this.operation('deploy', async () => {
      this.setStatus('CREATE_IN_PROGRESS');
      let ok = await this.inOrder(stack, this.selectedIds(stack), (id) => this.create(stack, id));
      if (ok) ok = this.settleOutputs(stack);
      if (ok) return this.setStatus('CREATE_COMPLETE');
      this.setStatus('ROLLBACK_IN_PROGRESS');
      const deletions = [...this.state.values()].map((entry) => ({ entry, policy: 'DeletionPolicy' as const, createdNow: true }));
      return this.setStatus(await this.deleteAll(deletions, 'stop') ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED');
    });
  }

  /**
   * Updates the deployed stack to a new template: creates, updates (or replaces) in dependency order,
   * then deletes replaced and removed resources in the cleanup phase. A failure rolls back.
   */
  async update(source: StackSource, stackName?: string): Promise<OperationResult> {
    const stack = loadStack(source, stackName ?? this.current?.stackName);
    const updatable: Array<StackStatus | undefined> = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];
    if (!this.current || !updatable.includes(this.stackStatus)) {
      throw new Error(`stack ${this.current?.stackName ?? stack.stackName} cannot be updated in state ${this.stackStatus ?? 'NOT_DEPLOYED'}`);
    }
    if (stack.stackName !== this.current.stackName) throw new Error(`the driver holds stack ${this.current.stackName}, not ${stack.stackName}`);
    return this.operation('update', async () => {
      this.setStatus('UPDATE_IN_PROGRESS');
      const before = new Map(this.state);
      const changes = new Map<string, Change>();
      const ids = this.selectedIds(stack);
      let ok = await this.inOrder(stack, ids, (id) => this.updateOne(stack, id, before.get(id), changes));
      if (ok) ok = this.settleOutputs(stack);
      if (ok) {
        this.current = stack;
        this.setStatus('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
        const cleanup: Deletion[] = [];
        for (const [id, change] of changes) {
          if (change.kind === 'replaced') {
            // The old physical resource goes under the policy of the template being deployed.
            const old = before.get(id)!;
            const definition = { ...old.definition, UpdateReplacePolicy: stack.template.Resources[id].UpdateReplacePolicy };
            cleanup.push({ entry: { ...old, definition }, policy: 'UpdateReplacePolicy', createdNow: false });
          }
        }
        for (const [id, entry] of before) {
          if (!ids.includes(id)) cleanup.push({ entry, policy: 'DeletionPolicy', createdNow: false });
        }
        await this.deleteAll(cleanup, 'orphan');
        return this.setStatus('UPDATE_COMPLETE');
      }
      this.setStatus('UPDATE_ROLLBACK_IN_PROGRESS');
      const rollbackCleanup: Deletion[] = [];
      const undo = (id: string) => this.rollbackOne(id, changes.get(id)!, before.get(id), rollbackCleanup);
      const rolledBack = await this.inOrder(stack, [...changes.keys()], undo, true);
      if (!rolledBack) return this.setStatus('UPDATE_ROLLBACK_FAILED');
      this.setStatus('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
      await this.deleteAll(rollbackCleanup, 'orphan');
      this.settleOutputs(this.current!);
      return this.setStatus('UPDATE_ROLLBACK_COMPLETE');
    });
  }

  /** Deletes the stack in reverse dependency order; DeletionPolicy Retain leaves a resource (recorded as retained). */
  async destroy(): Promise<OperationResult> {
    if (!this.current || !this.stackStatus || this.stackStatus === 'DELETE_COMPLETE') throw new Error('no stack to destroy');
    return this.operation('destroy', async () => {
      this.setStatus('DELETE_IN_PROGRESS');
      const deletions = [...this.state.values()].map((entry) => ({ entry, policy: 'DeletionPolicy' as const, createdNow: false }));
      if (!(await this.deleteAll(deletions, 'stop'))) return this.setStatus('DELETE_FAILED');
      this.stackOutputs = {};
      return this.setStatus('DELETE_COMPLETE');
    });
  }

  // ---- operations on one resource ----

  private async create(stack: LoadedStack, id: string): Promise<boolean> {
    const definition = stack.template.Resources[id];
    const custom = isCustomResourceType(definition.Type);
    this.emit(id, definition.Type, 'CREATE_IN_PROGRESS', { requestType: custom ? 'Create' : undefined });
    let properties: Record<string, unknown>;
    try {
      properties = this.resolveProperties(stack, this.state, id);
    } catch (e: any) {
      return this.fail(id, definition.Type, 'CREATE_FAILED', e.message);
    }
    if (!custom) {
      const entry = this.simulatedEntry(stack, id, properties);
      this.state.set(id, entry);
      this.emit(id, definition.Type, 'CREATE_COMPLETE', { physicalId: entry.physicalId });
      return true;
    }
    const outcome = await this.send(stack, id, 'Create', properties);
    if (outcome.physicalId !== undefined) {
      // Kept even when the create failed: the rollback sends a Delete for it.
      const entry = { logicalId: id, type: definition.Type, physicalId: outcome.physicalId, definition, stack, properties, attributes: outcome.data };
      this.state.set(id, entry);
    }
    if (outcome.status === 'FAILED') return this.fail(id, definition.Type, 'CREATE_FAILED', outcome.reason!, outcome.physicalId);
    this.emit(id, definition.Type, 'CREATE_COMPLETE', { requestType: 'Create', physicalId: outcome.physicalId });
    return true;
  }

  private async updateOne(stack: LoadedStack, id: string, previous: Entry | undefined, changes: Map<string, Change>): Promise<boolean> {
    const definition = stack.template.Resources[id];
    if (!previous) {
      const ok = await this.create(stack, id);
      if (this.state.has(id)) changes.set(id, { kind: 'created' });
      return ok;
    }
    if (previous.type !== definition.Type) {
      return this.fail(id, definition.Type, 'UPDATE_FAILED', `Update of resource type is not permitted (${previous.type} to ${definition.Type})`);
    }
    let properties: Record<string, unknown>;
    try {
      properties = this.resolveProperties(stack, this.state, id);
    } catch (e: any) {
      return this.fail(id, definition.Type, 'UPDATE_FAILED', e.message);
    }
    if (canonical(properties) === canonical(previous.properties)) {
      this.state.set(id, { ...previous, definition, stack });
      return true;
    }
    const custom = isCustomResourceType(definition.Type);
    this.emit(id, definition.Type, 'UPDATE_IN_PROGRESS', { requestType: custom ? 'Update' : undefined, physicalId: previous.physicalId });
    if (!custom) {
      // Simulated resources are updated in place (their replacement rules are not modelled).
      this.state.set(id, { ...previous, properties, definition, stack });
      changes.set(id, { kind: 'updated', attempted: properties });
      this.emit(id, definition.Type, 'UPDATE_COMPLETE', { physicalId: previous.physicalId });
      return true;
    }
    if (properties.ServiceToken !== previous.properties.ServiceToken) {
      return this.fail(id, definition.Type, 'UPDATE_FAILED', 'Modifying service token is not allowed.', previous.physicalId);
    }
    changes.set(id, { kind: 'updated', attempted: properties }); // a failed update is rolled back too
    const outcome = await this.send(stack, id, 'Update', properties, previous.properties, previous.physicalId);
    if (outcome.status === 'FAILED') return this.fail(id, definition.Type, 'UPDATE_FAILED', outcome.reason!, previous.physicalId);
    if (outcome.physicalId !== previous.physicalId) {
      changes.set(id, { kind: 'replaced', attempted: properties });
      this.emit(id, definition.Type, 'UPDATE_IN_PROGRESS', {
        requestType: 'Update', physicalId: outcome.physicalId, reason: 'Requested update required the provider to create a new physical resource',
      });
    }
    this.state.set(id, { ...previous, physicalId: outcome.physicalId!, properties, attributes: outcome.data, definition, stack });
    this.emit(id, definition.Type, 'UPDATE_COMPLETE', { requestType: 'Update', physicalId: outcome.physicalId });
    return true;
  }

  private async rollbackOne(id: string, change: Change, previous: Entry | undefined, rollbackCleanup: Deletion[]): Promise<boolean> {
    const current = this.state.get(id);
    if (change.kind === 'created') {
      if (!current) return true;
      const ok = await this.deleteOne({ entry: current, policy: 'DeletionPolicy', createdNow: true });
      if (ok) this.state.delete(id);
      return ok;
    }
    const prev = previous!;
    if (change.kind === 'replaced' || !isCustomResourceType(prev.type)) {
      // The old physical resource was never touched: go back to it; a replacement is deleted in the cleanup.
      this.emit(id, prev.type, 'UPDATE_IN_PROGRESS', { physicalId: prev.physicalId });
      if (change.kind === 'replaced' && current) rollbackCleanup.push({ entry: current, policy: 'UpdateReplacePolicy', createdNow: true });
      this.state.set(id, prev);
      this.emit(id, prev.type, 'UPDATE_COMPLETE', { physicalId: prev.physicalId });
      return true;
    }
    // Updated in place (or failed while updating): an Update back to the old properties.
    const physicalId = current?.physicalId ?? prev.physicalId;
    this.emit(id, prev.type, 'UPDATE_IN_PROGRESS', { requestType: 'Update', physicalId });
    const outcome = await this.send(prev.stack, id, 'Update', prev.properties, change.attempted, physicalId);
    if (outcome.status === 'FAILED') return this.fail(id, prev.type, 'UPDATE_FAILED', outcome.reason!, physicalId);
    if (outcome.physicalId !== physicalId && current) rollbackCleanup.push({ entry: current, policy: 'UpdateReplacePolicy', createdNow: true });
    this.state.set(id, { ...prev, physicalId: outcome.physicalId!, attributes: outcome.data });
    this.emit(id, prev.type, 'UPDATE_COMPLETE', { requestType: 'Update', physicalId: outcome.physicalId });
    return true;
  }

  /** Deletes (or retains) one physical resource; the caller decides what the state forgets. */
  private async deleteOne({ entry, policy, createdNow }: Deletion): Promise<boolean> {
    const value = entry.definition[policy];
    if (value === 'Retain' || (value === 'RetainExceptOnCreate' && !createdNow)) {
      const { logicalId, type: resourceType, physicalId } = entry;
      this.record.retained.push({ operation: this.op!.name, logicalId, resourceType, physicalId, policy });
      this.emit(entry.logicalId, entry.type, 'DELETE_SKIPPED', { physicalId: entry.physicalId, reason: `${policy}: ${value}` });
      return true;
    }
    const custom = isCustomResourceType(entry.type);
    this.emit(entry.logicalId, entry.type, 'DELETE_IN_PROGRESS', { requestType: custom ? 'Delete' : undefined, physicalId: entry.physicalId });
    if (custom) {
      const outcome = await this.send(entry.stack, entry.logicalId, 'Delete', entry.properties, undefined, entry.physicalId);
      if (outcome.status === 'FAILED') return this.fail(entry.logicalId, entry.type, 'DELETE_FAILED', outcome.reason!, entry.physicalId);
    }
    this.emit(entry.logicalId, entry.type, 'DELETE_COMPLETE', { requestType: custom ? 'Delete' : undefined, physicalId: entry.physicalId });
    return true;
  }

  /**
   * Deletes in reverse dependency order. 'stop': the first failure stops it (the entry stays in the
   * state). 'orphan' (cleanup phases): a failure is recorded and CloudFormation moves on.
   */
  private async deleteAll(deletions: Deletion[], onFailure: 'stop' | 'orphan'): Promise<boolean> {
    const byId = new Map(deletions.map((d) => [d.entry.logicalId, d]));
    const ids = [...byId.keys()];
    const known = new Set(ids);
    const dependents = (id: string) => ids.filter((other) => dependenciesOf(byId.get(other)!.entry.definition, known).includes(id));
    return runGraph(ids, dependents, async (id) => {
      const deletion = byId.get(id)!;
      const ok = await this.deleteOne(deletion);
      // Forgotten only now: a removed Provider's functions must still be found while its resources are deleted.
      // In a cleanup phase CloudFormation forgets a resource even when deleting it failed.
      if ((ok || onFailure === 'orphan') && this.state.get(id) === deletion.entry) this.state.delete(id);
      if (onFailure === 'stop') return ok;
      if (!ok) {
        const { entry } = deletion;
        const reason = [...this.op!.failures].reverse().find((f) => f.logicalId === id)?.reason ?? 'delete failed';
        this.record.orphaned.push({ operation: this.op!.name, logicalId: id, resourceType: entry.type, physicalId: entry.physicalId, reason });
      }
      return true;
    });
  }

  // ---- talking to the provider ----

  /** Sends one request to a custom resource's service token and reads the answer as CloudFormation does. */
  private async send(
    stack: LoadedStack, id: string, requestType: RequestType, properties: Record<string, unknown>,
    oldProperties?: Record<string, unknown>, physicalId?: string,
  ): Promise<RequestOutcome> {
    const requestId = crypto.randomUUID();
    const stackId = this.stackId!;
    const request: CfnRequest = {
      RequestType: requestType,
      ServiceToken: String(properties.ServiceToken),
      ResponseURL: `https://cloudformation-custom-resource-response-${this.region.replace(/-/g, '')}.s3.${this.region}.amazonaws.com/` +
        `${encodeURIComponent(`${stackId}|${id}|${requestId}`)}?X-Amz-Signature=rehearsal`,
      StackId: stackId,
      RequestId: requestId,
      LogicalResourceId: id,
      ResourceType: stack.template.Resources[id]?.Type ?? this.state.get(id)!.type,
      ResourceProperties: properties,
      ...(oldProperties ? { OldResourceProperties: oldProperties } : {}),
      ...(physicalId !== undefined ? { PhysicalResourceId: physicalId } : {}),
    };
    const serviceTimeoutMs = Number(properties.ServiceTimeout ?? DEFAULT_SERVICE_TIMEOUT_SECONDS) * 1000;
    // When CloudFormation gets no usable answer it makes up a physical id for a Create (and sends its Delete later).
    const noAnswerId = requestType === 'Create' ? generatedName(this.env(stack), id, requestId) : physicalId;
    const noResponse = `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}].`;
    const finish = (outcome: RequestOutcome, simulatedMs: number, handledBy: 'handlers' | 'framework' | 'simulated'): RequestOutcome => {
      const { status, physicalId: answeredId, reason, data } = outcome;
      this.record.requests.push({ operation: this.op!.name, request, status, physicalId: answeredId, reason, data, simulatedMs, handledBy });
      return outcome;
    };

    if (this.options.standIn?.(request.ResourceType)) return finish({ status: 'SUCCESS', physicalId: noAnswerId, data: {} }, 0, 'simulated');
    let provider: ProviderSpec | undefined;
    try {
      provider = this.providerFor(request.ServiceToken, this.state);
    } catch (e: any) {
      return finish({ status: 'FAILED', reason: `driver: ${e.message}`, physicalId, data: {} }, 0, 'handlers');
    }
    if (!provider) {
      if (this.options.unknownServiceTokens === 'fail') {
        return finish({ status: 'FAILED', reason: `driver: service token ${request.ServiceToken} is not a Provider in this stack`, data: {} }, 0, 'simulated');
      }
      return finish({ status: 'SUCCESS', physicalId: noAnswerId, data: {} }, 0, 'simulated');
    }

    const startedAt = Date.now();
    let outcome;
    try {
      outcome = await runProvider(request, provider, {
        host: this.host,
        timeScale: this.options.timeScale ?? 1,
        onEventInvocations: 1 + (this.options.retryOnEvent?.(request) ?? 0),
        serviceTimeoutMs,
        onCall: (call) => this.record.calls.push({
          seq: this.record.calls.length,
          operation: this.op!.name,
          handler: call.handler,
          functionLogicalId: call.functionLogicalId,
          logicalId: id,
          requestType,
          requestId,
          attempt: call.attempt,
          event: call.event,
          result: call.outcome.error ? undefined : call.outcome.payload,
          error: call.outcome.error && { errorType: call.outcome.error.errorType, errorMessage: call.outcome.error.errorMessage },
          startedMs: call.startedAt - this.op!.started,
          durationMs: call.durationMs,
          simulatedMs: call.simulatedMs,
        }),
      });
    } catch (e) {
      if (!(e instanceof UnsupportedError)) throw e;
      return finish({ status: 'FAILED', reason: `driver: ${e.message}`, physicalId, data: {} }, Date.now() - startedAt, 'handlers');
    }
    if (outcome.kind === 'no-response') {
      return finish({ status: 'FAILED', reason: noResponse, physicalId: noAnswerId, data: {} }, outcome.simulatedMs, 'handlers');
    }
    const body = outcome.body;
    if (Buffer.byteLength(JSON.stringify(body), 'utf8') > RESPONSE_LIMIT_BYTES) {
      return finish({ status: 'FAILED', reason: 'Response object is too long.', physicalId: noAnswerId, data: {} }, outcome.simulatedMs, outcome.handledBy);
    }
    if (body.RequestId !== requestId || body.StackId !== stackId || body.LogicalResourceId !== id) {
      // Not an answer to this request: CloudFormation keeps waiting until the ServiceTimeout.
      return finish({ status: 'FAILED', reason: noResponse, physicalId: noAnswerId, data: {} }, serviceTimeoutMs, outcome.handledBy);
    }
    const data = body.Data && typeof body.Data === 'object' ? body.Data : {};
    const result = body.Status === 'SUCCESS'
      ? { status: 'SUCCESS' as const, physicalId: body.PhysicalResourceId, data }
      : { status: 'FAILED' as const, physicalId: body.PhysicalResourceId, reason: body.Reason, data: {} };
    return finish(result, outcome.simulatedMs, outcome.handledBy);
  }

  /**
   * Follows a service token to a Provider: the framework onEvent function (found by its ARN), its
   * environment (the user functions' ARNs and the waiter state machine's), and the state machine's Retry.
   */
  private providerFor(serviceToken: string, state: Map<string, Entry>): ProviderSpec | undefined {
    const framework = this.functionByArn(serviceToken, state);
    const variables = (framework?.properties.Environment as any)?.Variables ?? {};
    if (!framework || typeof variables.USER_ON_EVENT_FUNCTION_ARN !== 'string') return undefined;
    const userFunction = (arn: string): LambdaFunction => {
      const entry = this.functionByArn(arn, state);
      if (!entry) throw new UnsupportedError(`the user function ${arn} of provider ${framework.logicalId} is not in this stack`);
      return this.lambdaFunction(entry);
    };
    let waiter: ProviderSpec['waiter'];
    if (typeof variables.WAITER_STATE_MACHINE_ARN === 'string') {
      const machine = [...state.values()].find((e) => e.type === 'AWS::StepFunctions::StateMachine' && e.physicalId === variables.WAITER_STATE_MACHINE_ARN);
      if (!machine) throw new UnsupportedError(`the waiter state machine of provider ${framework.logicalId} is not in this stack`);
      const raw = machine.properties.DefinitionString ?? machine.properties.Definition;
      const definition = typeof raw === 'string' ? JSON.parse(raw) : raw as any;
      const retry = definition.States[definition.StartAt].Retry?.[0];
      waiter = {
        stateMachineLogicalId: machine.logicalId,
        intervalSeconds: retry?.IntervalSeconds ?? 1,
        maxAttempts: retry ? retry.MaxAttempts ?? 3 : 0,
        backoffRate: retry?.BackoffRate ?? 2,
      } as ProviderSpec['waiter'];
    }
    return {
      frameworkLogicalId: framework.logicalId,
      onEvent: userFunction(variables.USER_ON_EVENT_FUNCTION_ARN),
      isComplete: typeof variables.USER_IS_COMPLETE_FUNCTION_ARN === 'string' ? userFunction(variables.USER_IS_COMPLETE_FUNCTION_ARN) : undefined,
      waiter,
    };
  }

  private functionByArn(arn: string, state: Map<string, Entry>): Entry | undefined {
    return [...state.values()].find((e) => e.type === 'AWS::Lambda::Function' &&
      simulatedAttribute(e.type, e.physicalId, e.properties, 'Arn', this.env(e.stack)) === arn);
  }

  private lambdaFunction(entry: Entry): LambdaFunction {
    const p = entry.properties as any;
    const variables: Record<string, unknown> = p.Environment?.Variables ?? {};
    return {
      logicalId: entry.logicalId,
      functionName: entry.physicalId,
      arn: String(simulatedAttribute(entry.type, entry.physicalId, p, 'Arn', this.env(entry.stack))),
      handler: String(p.Handler),
      runtime: String(p.Runtime ?? ''),
      codeDirectory: functionAssetDirectory(entry.stack, entry.logicalId, entry.definition, p.Code),
      timeoutSeconds: Number(p.Timeout ?? 3),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
      roleArn: typeof p.Role === 'string' ? p.Role : undefined,
    };
  }

  // ---- the template ----

  private simulatedEntry(stack: LoadedStack, id: string, properties: Record<string, unknown>): Entry {
    const definition = stack.template.Resources[id];
    const physicalId = simulatedPhysicalId(definition.Type, id, properties, this.env(stack));
    return { logicalId: id, type: definition.Type, physicalId, definition, stack, properties, attributes: {} };
  }

  /** Resolves a resource's properties; a custom resource gets them stringified, as CloudFormation sends them. */
  private resolveProperties(stack: LoadedStack, state: Map<string, Entry>, id: string): Record<string, unknown> {
    const definition = stack.template.Resources[id];
    const raw = definition.Properties ?? {};
    if (isCustomResourceType(definition.Type)) return toCfnStrings(resolve(raw, this.context(stack, state))) as Record<string, unknown>;
    try {
      return resolve(raw, this.context(stack, state)) as Record<string, unknown>;
    } catch (e) {
      // An intrinsic the driver does not know, in a resource it only simulates: keep it unresolved.
      if (e instanceof UnsupportedError) return JSON.parse(JSON.stringify(raw));
      throw e;
    }
  }

  private context(stack: LoadedStack, state: Map<string, Entry>): ResolveContext {
    const template = stack.template;
    const env = this.env(stack);
    const parameters: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(template.Parameters ?? {})) {
      const value = this.options.parameters?.[name] ?? (p.Type.startsWith('AWS::SSM::Parameter::Value') ? undefined : p.Default);
      if (value === undefined) continue;
      parameters[name] = p.Type === 'CommaDelimitedList' || p.Type.startsWith('List<') ? String(value).split(',') : String(value);
    }
    const conditions = new Map<string, boolean>();
    const ctx: ResolveContext = {
      pseudo: {
        'AWS::Region': this.region,
        'AWS::AccountId': this.account,
        'AWS::Partition': env.partition,
        'AWS::URLSuffix': env.urlSuffix,
        'AWS::StackName': stack.stackName,
        'AWS::StackId': this.stackId ?? `arn:${env.partition}:cloudformation:${this.region}:${this.account}:stack/${stack.stackName}/00000000-0000-0000-0000-000000000000`,
        'AWS::NotificationARNs': [],
      },
      parameters,
      mappings: template.Mappings ?? {},
      imports: this.options.imports ?? {},
      condition: (name) => {
        if (!conditions.has(name)) {
          if (!template.Conditions || !(name in template.Conditions)) throw new TemplateError(`Unresolved condition ${name}`);
          conditions.set(name, evaluateCondition(template.Conditions[name], ctx));
        }
        return conditions.get(name)!;
      },
      ref: (logicalId) => this.entryFor(stack, state, logicalId).physicalId,
      getAtt: (logicalId, attribute) => {
        const entry = this.entryFor(stack, state, logicalId);
        if (!isCustomResourceType(entry.type)) return simulatedAttribute(entry.type, entry.physicalId, entry.properties, attribute, env);
        if (!(attribute in entry.attributes)) {
          if (this.options.standIn?.(entry.type)) return `${entry.physicalId}.${attribute}`;
          throw new TemplateError(`CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object ` +
            `${this.stackId}|${logicalId}|${entry.physicalId}`);
        }
        return entry.attributes[attribute];
      },
    };
    return ctx;
  }

  private entryFor(stack: LoadedStack, state: Map<string, Entry>, logicalId: string): Entry {
    const entry = state.get(logicalId);
    if (entry) return entry;
    if (stack.template.Parameters?.[logicalId]) throw new TemplateError(`Parameter ${logicalId} has no value`);
    if (stack.template.Resources[logicalId]) throw new TemplateError(`${logicalId} does not exist (yet)`);
    throw new TemplateError(`Unresolved resource dependencies [${logicalId}] in the Resources block of the template`);
  }

  /** The resources whose Condition (if any) holds. */
  private selectedIds(stack: LoadedStack): string[] {
    const ctx = this.context(stack, new Map());
    return Object.entries(stack.template.Resources).filter(([, r]) => !r.Condition || ctx.condition(r.Condition)).map(([id]) => id);
  }

  /** Runs work over resources in dependency order (reverse: dependents first). */
  private inOrder(stack: LoadedStack, ids: string[], work: (id: string) => Promise<boolean>, reverse = false): Promise<boolean> {
    const known = new Set(ids);
    const deps = new Map(ids.map((id) => [id, dependenciesOf(stack.template.Resources[id] ?? this.state.get(id)!.definition, known)]));
    const dependsOn = reverse ? (id: string) => ids.filter((other) => deps.get(other)!.includes(id)) : (id: string) => deps.get(id)!;
    return runGraph(ids, dependsOn, work);
  }

  private settleOutputs(stack: LoadedStack): boolean {
    const ctx = this.context(stack, this.state);
    const outputs: Record<string, unknown> = {};
    try {
      for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
        if (!output.Condition || ctx.condition(output.Condition)) outputs[name] = resolve(output.Value, ctx);
      }
    } catch (e: any) {
      return this.fail(stack.stackName, STACK_TYPE, this.op!.name === 'deploy' ? 'CREATE_FAILED' : 'UPDATE_FAILED', `Outputs: ${e.message}`);
    }
    this.stackOutputs = outputs;
    return true;
  }

  private env(stack: LoadedStack): Environment {
    return { region: this.region, account: this.account, stackName: stack.stackName, ...partitionOf(this.region) };
  }

  // ---- bookkeeping ----

  private async operation(name: OperationName, body: () => Promise<StackStatus>): Promise<OperationResult> {
    if (this.op) throw new Error(`the driver is busy with ${this.op.name}`);
    this.op = { name, started: Date.now(), failures: [] };
    this.host.applyEnv();
    try {
      const status = await body();
      const failures = this.op.failures;
      return {
        operation: name,
        status,
        ok: ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'DELETE_COMPLETE'].includes(status),
        failure: failures[0],
        otherFailures: failures.slice(1),
        outputs: this.outputs,
        durationMs: Date.now() - this.op.started,
      };
    } finally {
      this.op = undefined;
    }
  }

  private fail(logicalId: string, resourceType: string, status: ResourceStatus, reason: string, physicalId?: string): false {
    this.op!.failures.push({ logicalId, resourceType, status, reason, physicalId });
    this.emit(logicalId, resourceType, status, { reason, physicalId });
    return false;
  }

  private setStatus(status: StackStatus): StackStatus {
    this.stackStatus = status;
    this.emit(this.current!.stackName, STACK_TYPE, status, { physicalId: this.stackId });
    return status;
  }

  private emit(logicalId: string, resourceType: string, status: ProgressEvent['status'], extra: Partial<ProgressEvent> = {}): void {
    const event: ProgressEvent = {
      operation: this.op!.name, logicalId, resourceType, status, ...definedOnly(extra), elapsedMs: Date.now() - this.op!.started,
    };
    this.record.events.push(event);
    this.options.onProgress?.(event);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** JSON with sorted keys, to compare resolved properties. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    : v));
}
