/**
 * The authorization of one emulated call: the IAM requests the call makes (as the emulated service
 * derives them from the operation and its input) are first held against the Service Authorization
 * Reference, then decided against the caller's identity-based policies.
 *
 * Against the reference (`resolveRequests`): every action must be one the reference knows; every
 * resource type the reference marks *required* for the action must be covered by one of the call's
 * requests for that action, and every ARN must be of a resource type the action lists. A call that
 * breaks these rules is a bug in the emulator's mapping (it would authorize less than AWS does), so
 * it throws rather than deciding.
 *
 * Two cases are authorized against `*`:
 * - an action with no resource types (List*, Create* of AgentCore datasets): IAM has no ARN to
 *   match, and only a statement whose Resource is `*` allows it;
 * - an action whose resource types are all optional and whose target ARN is of none of them, e.g.
 *   bedrock-agentcore:TagResource on a `dataset` ARN (the reference lists no dataset type for
 *   TagResource) or personalize:ListTagsForResource on a schema. What IAM matches then is not
 *   documented; a statement on `*` is the only grant it is sure to honour, so that is what the
 *   emulator asks for.
 *
 * The decision (`authorize`): each request in turn; the first one denied denies the call, with the
 * message AWS gives.
 */
import { evaluate, PolicyDocument, RequestContext } from './policy';
import { actionInfo, resourceTypeOfArn } from './reference';
import type { IamRequest } from '../emulator/state';

/** A request as it is authorized: the reference's spelling of the action, and the resource IAM matches. */
export interface ResolvedRequest extends IamRequest {
  /** The resource the emulator gave (before a rewrite to `*`). */
  readonly target: string;
  /** The resource type the ARN is, when the action lists it. */
  readonly resourceType?: string;
}

export interface Denial {
  readonly action: string;
  readonly resource: string;
  /** An explicit Deny statement matched (rather than no Allow). */
  readonly explicit: boolean;
  /** AccessDenied's message, as AWS words it. */
  readonly message: string;
}

export interface AuthorizationResult {
  readonly allowed: boolean;
  readonly requests: readonly ResolvedRequest[];
  readonly denial?: Denial;
}

/** The emulator's mapping of a call to IAM requests disagrees with the reference. */
export class AuthorizationMappingError extends Error {
  constructor(message: string) {
    super(`Emulator bug (IAM mapping): ${message}`);
    this.name = 'AuthorizationMappingError';
  }
}

/**
 * Holds a call's requests against the reference; returns them as IAM authorizes them. `operation`
 * names the call in errors.
 */
export function resolveRequests(requests: readonly IamRequest[], operation = 'the call'): ResolvedRequest[] {
  if (requests.length === 0) throw new AuthorizationMappingError(`${operation} makes no IAM request`);
  const resolved: ResolvedRequest[] = [];
  const covered = new Map<string, Set<string>>(); // action > resource types covered (lower case)
  for (const request of requests) {
    const info = actionInfo(request.action);
    if (!info) throw new AuthorizationMappingError(`${operation}: ${request.action} is not an action of the Service Authorization Reference`);
    const action = info.action;
    const types = covered.get(action) ?? new Set<string>();
    covered.set(action, types);
    if (info.resourceTypes.length === 0) {
      resolved.push({ ...request, action, resource: '*', target: request.resource });
      continue;
    }
    const type = request.resource === '*' ? undefined : resourceTypeOfArn(info.service, request.resource);
    const listed = type && info.resourceTypes.find((t) => t.name.toLowerCase() === type.toLowerCase());
    if (listed) {
      types.add(listed.name.toLowerCase());
      resolved.push({ ...request, action, target: request.resource, resourceType: listed.name });
    } else if (info.resourceTypes.some((t) => t.required)) {
      throw new AuthorizationMappingError(`${operation}: ${action} is authorized against ` +
        `${info.resourceTypes.map((t) => t.name).join(', ')}; ${request.resource} is ${type ? `a ${type}` : 'of no resource type of the action'}`);
    } else {
      resolved.push({ ...request, action, resource: '*', target: request.resource });
    }
  }
  for (const [action, types] of covered) {
    const missing = actionInfo(action)!.resourceTypes.filter((t) => t.required && !types.has(t.name.toLowerCase()));
    if (missing.length > 0) {
      throw new AuthorizationMappingError(`${operation}: ${action} needs ${missing.map((t) => t.name).join(' and ')} ` +
        `(required by the Service Authorization Reference); the call's requests cover ${[...types].join(', ') || 'none'}`);
    }
  }
  return resolved;
}

/**
 * Decides a call: resolves its requests against the reference, then evaluates each against the
 * policies. `context` adds keys to every request (the global ones: aws:PrincipalArn, ...); a
 * request's own keys win.
 */
export function authorize(
  principalArn: string,
  policies: readonly PolicyDocument[],
  requests: readonly IamRequest[],
  options: { operation?: string; context?: RequestContext } = {},
): AuthorizationResult {
  const resolved = resolveRequests(requests, options.operation);
  for (const request of resolved) {
    const context = { ...options.context, ...request.context };
    const { decision } = evaluate(policies, { action: request.action, resource: request.resource, context });
    if (decision !== 'Allow') {
      const explicit = decision === 'ExplicitDeny';
      return {
        allowed: false,
        requests: resolved,
        denial: {
          action: request.action,
          resource: request.resource,
          explicit,
          message: denialMessage(principalArn, request.action, request.resource, explicit),
        },
      };
    }
  }
  return { allowed: true, requests: resolved };
}

/**
 * AccessDenied's message as AWS words it for identity-based policies (IAM User Guide,
 * "Troubleshooting access denied error messages").
 */
export function denialMessage(principalArn: string, action: string, resource: string, explicit: boolean): string {
  const because = explicit ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${because}`;
}

/** Condition keys for a request that carries tags: aws:RequestTag/<key> for each, and aws:TagKeys. */
export function requestTagContext(tags: Readonly<Record<string, string>> | undefined): Record<string, string | string[]> {
  if (!tags || Object.keys(tags).length === 0) return {};
  const context: Record<string, string | string[]> = { 'aws:TagKeys': Object.keys(tags) };
  for (const [key, value] of Object.entries(tags)) context[`aws:RequestTag/${key}`] = value;
  return context;
}

/** Condition keys of an existing resource's tags: aws:ResourceTag/<key>. */
export function resourceTagContext(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) context[`aws:ResourceTag/${key}`] = value;
  return context;
}
