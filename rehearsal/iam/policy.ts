/**
 * An evaluator for identity-based IAM policy documents, as a synthesized CloudFormation template
 * gives them once its intrinsics are resolved: `{ Version, Statement }` with Statement an object or
 * a list; Effect Allow or Deny; Action or NotAction, Resource or NotResource, each a string or a
 * list; and Condition blocks.
 *
 * The decision is IAM's for identity-based policies alone (no SCPs, boundaries, sessions or
 * resource-based policies): an explicit Deny wins; otherwise any Allow allows; otherwise the request
 * is implicitly denied.
 *
 * Matching follows the IAM User Guide's policy reference:
 * - actions: `*` and `?` wildcards, case-insensitive;
 * - resources: `*` and `?` wildcards, case-sensitive, ARN component by component (a wildcard does
 *   not cross the colons of partition, service, region and account, unless it ends the pattern's
 *   last component); `*` alone matches every resource, and only `*` matches the resource `*`;
 * - conditions: every operator of a block, and every key of an operator, must hold (AND); the values
 *   listed for one key are alternatives (OR); key names are case-insensitive. A key absent from the
 *   request makes a condition false, except for negated operators (true), `...IfExists` (true),
 *   `ForAllValues:` (true) and `Null`.
 *
 * What it does not know (policy variables, date, IP and binary operators, principals) is an error
 * that says so, never a guess. Everything here is a pure function.
 */

/** A policy document as a resolved template gives it. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** A condition block: operator > key > value(s). */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, ConditionValue | readonly ConditionValue[]>>>>;
export type ConditionValue = string | number | boolean;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny' | string;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: ConditionBlock;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
}

/** The request context: condition key > value (a list for multivalued keys such as aws:TagKeys). */
export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

/** One authorization request: an action on a resource (an ARN, or `*`), with its context. */
export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** Where a statement sits: the index of its policy in the list, and its index in that policy. */
export interface StatementRef {
  readonly policy: number;
  readonly statement: number;
  readonly sid?: string;
}

export interface Evaluation {
  readonly decision: Decision;
  /** The statement that decided: the Deny that matched, or the first Allow that matched. */
  readonly statement?: StatementRef;
}

/** Thrown for policies or requests the evaluator cannot decide faithfully. */
export class PolicyEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyEvaluationError';
  }
}

/** IAM's decision for one request against a principal's identity-based policies. */
export function evaluate(policies: readonly PolicyDocument[], request: AuthorizationRequest): Evaluation {
  const context = normalizeContext(request.context ?? {});
  let allow: StatementRef | undefined;
  for (const [p, policy] of policies.entries()) {
    for (const [s, statement] of statementsOf(policy, p).entries()) {
      if (!statementApplies(statement, request, context, `policy ${p} statement ${s}`)) continue;
      const ref: StatementRef = { policy: p, statement: s, sid: statement.Sid };
      if (statement.Effect === 'Deny') return { decision: 'ExplicitDeny', statement: ref };
      allow ??= ref;
    }
  }
  return allow ? { decision: 'Allow', statement: allow } : { decision: 'ImplicitDeny' };
}

/** The statements of a document, checked for the shape identity-based policies must have. */
export function statementsOf(policy: PolicyDocument, index = 0): readonly PolicyStatement[] {
  if (!policy || typeof policy !== 'object' || policy.Statement === undefined) {
    throw new PolicyEvaluationError(`Policy ${index} has no Statement: ${JSON.stringify(policy)}`);
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement as PolicyStatement];
  const variables = policy.Version === '2012-10-17';
  statements.forEach((statement, s) => checkStatement(statement, `policy ${index} statement ${s}`, variables));
  return statements;
}

function checkStatement(statement: PolicyStatement, where: string, variables: boolean): void {
  if (!statement || typeof statement !== 'object') throw new PolicyEvaluationError(`${where} is not an object`);
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    throw new PolicyEvaluationError(`${where}: Effect must be Allow or Deny, not ${JSON.stringify(statement.Effect)}`);
  }
  if (statement.Principal !== undefined || statement.NotPrincipal !== undefined) {
    throw new PolicyEvaluationError(`${where} names a Principal: it is a resource-based policy statement, which this evaluator of identity-based policies does not evaluate`);
  }
  if ((statement.Action === undefined) === (statement.NotAction === undefined)) {
    throw new PolicyEvaluationError(`${where} needs exactly one of Action and NotAction`);
  }
  if ((statement.Resource === undefined) === (statement.NotResource === undefined)) {
    throw new PolicyEvaluationError(`${where} needs exactly one of Resource and NotResource`);
  }
  for (const member of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    const value = statement[member];
    if (value === undefined) continue;
    for (const item of list(value)) {
      if (typeof item !== 'string') {
        throw new PolicyEvaluationError(`${where}: ${member} holds ${JSON.stringify(item)}, not a string (an unresolved intrinsic?)`);
      }
      if (variables && item.includes('${')) {
        throw new PolicyEvaluationError(`${where}: ${member} ${item} uses a policy variable, which this evaluator does not substitute`);
      }
    }
  }
}

/** Whether a statement applies to the request (its effect aside). */
function statementApplies(statement: PolicyStatement, request: AuthorizationRequest, context: NormalizedContext, where: string): boolean {
  const actionMatch = statement.Action !== undefined
    ? list(statement.Action).some((p) => actionMatches(p, request.action))
    : !list(statement.NotAction!).some((p) => actionMatches(p, request.action));
  if (!actionMatch) return false;
  const resourceMatch = statement.Resource !== undefined
    ? list(statement.Resource).some((p) => resourceMatches(p, request.resource))
    : !list(statement.NotResource!).some((p) => resourceMatches(p, request.resource));
  if (!resourceMatch) return false;
  return statement.Condition === undefined || conditionsHold(statement.Condition, context, where);
}

// ---- matching ----

/** `service:Action` patterns with `*` and `?`, case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatches(pattern.toLowerCase(), action.toLowerCase());
}

/**
 * Resource patterns, case-sensitive. An ARN pattern is matched component by component (arn,
 * partition, service, region, account, resource; the resource keeps its colons); a pattern that has
 * fewer components and whose last one ends in `*` matches the rest of the ARN, as IAM allows.
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (/^\*+$/.test(pattern)) return true;
  if (resource === '*') return false; // only `*` is sure to cover an action without a resource
  const p = splitArn(pattern);
  const r = splitArn(resource);
  if (p.length < 6 || r.length < 6) {
    if (!pattern.startsWith('arn:') || !resource.startsWith('arn:')) return wildcardMatches(pattern, resource);
    const last = p.length - 1;
    if (p.length > r.length || !p[last].endsWith('*')) return false;
    return p.slice(0, last).every((part, i) => wildcardMatches(part, r[i])) && wildcardMatches(p[last], r.slice(last).join(':'));
  }
  return p.every((part, i) => wildcardMatches(part, r[i]));
}

/** ARN components: at most six, the last (the resource) keeping its colons. */
function splitArn(arn: string): string[] {
  const parts = arn.split(':');
  return parts.length <= 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** `*` any run of characters (also none), `?` any one character; everything else literal. */
export function wildcardMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  let regex = WILDCARD_CACHE.get(pattern);
  if (!regex) {
    const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
    regex = new RegExp(`^${source}$`, 's');
    WILDCARD_CACHE.set(pattern, regex);
  }
  return regex.test(value);
}

const WILDCARD_CACHE = new Map<string, RegExp>();

// ---- conditions ----

type NormalizedContext = ReadonlyMap<string, readonly string[] | string>;

function normalizeContext(context: RequestContext): NormalizedContext {
  const normalized = new Map<string, readonly string[] | string>();
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) continue;
    normalized.set(key.toLowerCase(), value);
  }
  return normalized;
}

/** How an operator compares one request value with one policy value. */
interface Comparison {
  readonly compare: (requestValue: string, policyValue: string) => boolean;
  /** Negated operators (StringNotEquals...): true when no policy value matches; true for a missing key. */
  readonly negated: boolean;
}

const stringEquals = (a: string, b: string) => a === b;
const stringLike = (a: string, b: string) => wildcardMatches(b, a);
const ignoreCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const arnLike = (a: string, b: string) => a.startsWith('arn:') && resourceMatches(b, a);
const numeric = (test: (a: number, b: number) => boolean) => (a: string, b: string) => {
  const x = Number(a);
  const y = Number(b);
  return a.trim() !== '' && b.trim() !== '' && !Number.isNaN(x) && !Number.isNaN(y) && test(x, y);
};
const bool = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The operators this evaluator knows, by lower-case name (IAM User Guide, condition operators). */
const OPERATORS: ReadonlyMap<string, Comparison> = new Map<string, Comparison>([
  ['stringequals', { compare: stringEquals, negated: false }],
  ['stringnotequals', { compare: stringEquals, negated: true }],
  ['stringequalsignorecase', { compare: ignoreCase, negated: false }],
  ['stringnotequalsignorecase', { compare: ignoreCase, negated: true }],
  ['stringlike', { compare: stringLike, negated: false }],
  ['stringnotlike', { compare: stringLike, negated: true }],
  // ArnEquals and ArnLike are the same test in IAM: component by component, wildcards allowed.
  ['arnequals', { compare: arnLike, negated: false }],
  ['arnlike', { compare: arnLike, negated: false }],
  ['arnnotequals', { compare: arnLike, negated: true }],
  ['arnnotlike', { compare: arnLike, negated: true }],
  ['numericequals', { compare: numeric((a, b) => a === b), negated: false }],
  ['numericnotequals', { compare: numeric((a, b) => a === b), negated: true }],
  ['numericlessthan', { compare: numeric((a, b) => a < b), negated: false }],
  ['numericlessthanequals', { compare: numeric((a, b) => a <= b), negated: false }],
  ['numericgreaterthan', { compare: numeric((a, b) => a > b), negated: false }],
  ['numericgreaterthanequals', { compare: numeric((a, b) => a >= b), negated: false }],
  ['bool', { compare: bool, negated: false }],
]);

/** Whether every operator and key of a condition block holds for the request context. */
export function conditionsHold(condition: ConditionBlock, context: NormalizedContext | RequestContext, where = 'condition'): boolean {
  const ctx = context instanceof Map ? context as NormalizedContext : normalizeContext(context as RequestContext);
  if (!condition || typeof condition !== 'object') throw new PolicyEvaluationError(`${where}: Condition must be an object`);
  return Object.entries(condition).every(([operator, keys]) => {
    if (!keys || typeof keys !== 'object' || Array.isArray(keys)) {
      throw new PolicyEvaluationError(`${where}: ${operator} must map condition keys to values`);
    }
    return Object.entries(keys).every(([key, values]) => operatorHolds(operator, key, policyValues(values, where, operator, key), ctx, where));
  });
}

function policyValues(values: unknown, where: string, operator: string, key: string): string[] {
  return list(values as ConditionValue | ConditionValue[]).map((v) => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicyEvaluationError(`${where}: ${operator} ${key} holds ${JSON.stringify(v)}, not a string (an unresolved intrinsic?)`);
  });
}

function operatorHolds(operatorName: string, key: string, values: string[], context: NormalizedContext, where: string): boolean {
  let name = operatorName;
  let set: 'any' | 'all' | undefined;
  const prefix = /^(ForAnyValue|ForAllValues):/i.exec(name);
  if (prefix) {
    set = prefix[1].toLowerCase() === 'foranyvalue' ? 'any' : 'all';
    name = name.substring(prefix[0].length);
  }
  let ifExists = false;
  if (/IfExists$/i.test(name) && name.toLowerCase() !== 'ifexists') {
    ifExists = true;
    name = name.substring(0, name.length - 'IfExists'.length);
  }

  const raw = context.get(key.toLowerCase());
  const present = raw !== undefined && !(Array.isArray(raw) && raw.length === 0);

  if (name.toLowerCase() === 'null') {
    if (set || ifExists) throw new PolicyEvaluationError(`${where}: ${operatorName} is not a valid operator (Null takes no set prefix or IfExists)`);
    // Null: "true" holds when the key is absent, "false" when it is present.
    return values.some((v) => (v.toLowerCase() === 'true' ? !present : v.toLowerCase() === 'false' ? present : false));
  }
  if (/^(date|ipaddress|notipaddress|binary)/i.test(name)) {
    throw new PolicyEvaluationError(`${where}: the condition operator ${operatorName} is not supported by this evaluator`);
  }
  const comparison = OPERATORS.get(name.toLowerCase());
  if (!comparison) throw new PolicyEvaluationError(`${where}: unknown condition operator ${operatorName}`);

  const matchesOne = (requestValue: string) => {
    const any = values.some((policyValue) => comparison.compare(requestValue, policyValue));
    return comparison.negated ? !any : any;
  };

  if (set === 'all') {
    // True for a missing key or an empty set: every member (of none) matches.
    if (!present) return true;
    return list(raw).every(matchesOne);
  }
  if (set === 'any') {
    if (!present) return ifExists;
    return list(raw).some(matchesOne);
  }
  if (!present) return ifExists || comparison.negated;
  if (Array.isArray(raw)) {
    if (raw.length === 1) return matchesOne(raw[0]);
    throw new PolicyEvaluationError(`${where}: ${key} has several values in this request; IAM needs a ForAnyValue: or ` +
      `ForAllValues: prefix to compare a multivalued key (${operatorName})`);
  }
  return matchesOne(raw as string);
}

function list<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? value : [value as T];
}
