/**
 * CloudFormation intrinsic functions, conditions and the dependency graph, as far as a synthesized
 * CDK template needs them.
 */

/** What `Ref: AWS::NoValue` resolves to: removed from the enclosing object or list. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** A template error CloudFormation itself would report (the operation fails). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Something CloudFormation supports but this driver does not model. */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}

export interface ResolveContext {
  /** Pseudo parameters by name (AWS::Region, ...). */
  readonly pseudo: Record<string, unknown>;
  readonly parameters: Record<string, unknown>;
  readonly mappings: Record<string, any>;
  readonly imports: Record<string, string>;
  condition(name: string): boolean;
  ref(logicalId: string): unknown;
  getAtt(logicalId: string, attribute: string): unknown;
}

/** Resolves every intrinsic in `value`; AWS::NoValue entries are dropped. */
export function resolve(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolve(v, ctx)).filter((v) => v !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return intrinsic(keys[0], (value as any)[keys[0]], ctx);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = resolve((value as any)[key], ctx);
    if (v !== NO_VALUE) out[key] = v;
  }
  return out;
}

function intrinsic(name: string, arg: any, ctx: ResolveContext): unknown {
  switch (name) {
    case 'Ref':
      return ref(arg, ctx);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = typeof arg === 'string' ? splitOnce(arg) : [arg[0], resolve(arg[1], ctx)];
      return ctx.getAtt(logicalId, String(attribute));
    }
    case 'Fn::Join': {
      const [delimiter, list] = arg;
      return asList(resolve(list, ctx), name).map((v) => asString(v, name)).join(delimiter);
    }
    case 'Fn::Sub':
      return sub(arg, ctx);
    case 'Fn::Select': {
      const index = Number(resolve(arg[0], ctx));
      const list = asList(resolve(arg[1], ctx), name);
      if (!Number.isInteger(index) || index < 0 || index >= list.length) {
        throw new TemplateError(`Fn::Select: index ${index} out of bounds for a list of ${list.length}`);
      }
      return list[index];
    }
    case 'Fn::Split':
      return asString(resolve(arg[1], ctx), name).split(arg[0]);
    case 'Fn::If':
      return ctx.condition(arg[0]) ? resolve(arg[1], ctx) : resolve(arg[2], ctx);
    case 'Fn::Base64':
      return Buffer.from(asString(resolve(arg, ctx), name)).toString('base64');
    case 'Fn::GetAZs': {
      const region = String(ctx.pseudo['AWS::Region']);
      return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
    }
    case 'Fn::ImportValue': {
      const exportName = asString(resolve(arg, ctx), name);
      if (!(exportName in ctx.imports)) throw new TemplateError(`No export named ${exportName} found`);
      return ctx.imports[exportName];
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = (arg as unknown[]).map((v) => String(resolve(v, ctx)));
      const value = ctx.mappings[map]?.[top]?.[second];
      if (value === undefined) throw new TemplateError(`Fn::FindInMap: no ${map}/${top}/${second}`);
      return value;
    }
    case 'Fn::Equals':
    case 'Fn::And':
    case 'Fn::Or':
    case 'Fn::Not':
      return evaluateCondition({ [name]: arg }, ctx);
    default:
      throw new UnsupportedError(`intrinsic function ${name} is not supported by the driver`);
  }
}

function ref(name: string, ctx: ResolveContext): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name.startsWith('AWS::')) {
    if (!(name in ctx.pseudo)) throw new UnsupportedError(`pseudo parameter ${name} is not supported by the driver`);
    return ctx.pseudo[name];
  }
  if (name in ctx.parameters) return ctx.parameters[name];
  return ctx.ref(name);
}

function sub(arg: any, ctx: ResolveContext): string {
  const [text, rawVars] = typeof arg === 'string' ? [arg, {}] : [arg[0] as string, arg[1] ?? {}];
  const vars = resolve(rawVars, ctx) as Record<string, unknown>;
  return text.replace(/\$\{([^}]*)\}/g, (_match, expr: string) => {
    if (expr.startsWith('!')) return '${' + expr.slice(1) + '}';
    if (expr in vars) return asString(vars[expr], 'Fn::Sub');
    if (expr.includes('.') && !expr.startsWith('AWS::')) {
      const [logicalId, attribute] = splitOnce(expr);
      return asString(ctx.getAtt(logicalId, attribute), 'Fn::Sub');
    }
    return asString(ref(expr, ctx), 'Fn::Sub');
  });
}

/** Evaluates a condition expression (the value of an entry in Conditions). */
export function evaluateCondition(expr: any, ctx: ResolveContext): boolean {
  if (typeof expr === 'boolean') return expr;
  if (expr && typeof expr === 'object' && typeof expr.Condition === 'string') return ctx.condition(expr.Condition);
  const [name] = Object.keys(expr ?? {});
  const arg = expr?.[name];
  switch (name) {
    case 'Fn::Equals':
      return JSON.stringify(resolve(arg[0], ctx)) === JSON.stringify(resolve(arg[1], ctx));
    case 'Fn::And':
      return (arg as unknown[]).every((c) => evaluateCondition(c, ctx));
    case 'Fn::Or':
      return (arg as unknown[]).some((c) => evaluateCondition(c, ctx));
    case 'Fn::Not':
      return !evaluateCondition(arg[0], ctx);
    default:
      throw new UnsupportedError(`condition function ${name} is not supported by the driver`);
  }
}

/**
 * CloudFormation hands custom resources their properties with every scalar as a string:
 * 3 arrives as "3", true as "true", also inside lists and objects.
 */
export function toCfnStrings(value: unknown, where = 'Properties'): unknown {
  if (value === null || value === undefined) throw new TemplateError(`[${where}] 'null' values are not allowed in templates`);
  if (Array.isArray(value)) return value.map((v, i) => toCfnStrings(v, `${where}/${i}`));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCfnStrings(v, `${where}/${k}`)]));
  }
  return String(value);
}

/** Logical ids a resource definition depends on, among those `known`. */
export function dependenciesOf(definition: { Properties?: unknown; DependsOn?: string | string[] }, known: Set<string>): string[] {
  return referencedIds(definition).filter((id) => known.has(id));
}

/**
 * The logical ids a resource definition references, in the order they first appear: Ref, Fn::GetAtt
 * and Fn::Sub in its properties, then DependsOn. Pseudo parameters (AWS::Region) are no ids.
 */
export function referencedIds(definition: { Properties?: unknown; DependsOn?: string | string[] }): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'Ref' && typeof v === 'string' && !isPseudoParameter(v)) found.add(v);
        else if (key === 'Fn::GetAtt') found.add(Array.isArray(v) ? String(v[0]) : splitOnce(String(v))[0]);
        else if (key === 'Fn::Sub') subReferences(v).forEach((id) => found.add(id));
        visit(v);
      }
    }
  };
  visit(definition.Properties);
  const dependsOn = definition.DependsOn;
  for (const id of Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : []) found.add(id);
  return [...found];
}

const isPseudoParameter = (name: string) => name.startsWith('AWS::');

function subReferences(arg: unknown): string[] {
  const [text, vars] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? [String(arg[0]), arg[1] ?? {}] : ['', {}];
  const names = [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1]);
  return names.filter((n) => !(n in vars) && !isPseudoParameter(n)).map((n) => splitOnce(n)[0]);
}

function splitOnce(text: string): [string, string] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text, ''] : [text.slice(0, dot), text.slice(dot + 1)];
}

function asList(value: unknown, fn: string): unknown[] {
  if (!Array.isArray(value)) throw new TemplateError(`${fn}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

function asString(value: unknown, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`${fn}: expected a string, got ${JSON.stringify(value)}`);
}
