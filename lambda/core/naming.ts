/** Who asks (the request's context), generated names and the ownership tag's value. */
import type * as Crypto from 'crypto';
import type { NameRule } from '../../src/contract';

/** Facts about the request that adapters need: who asks, and where. */
export interface RequestContext {
  readonly requestId: string;
  readonly logicalResourceId: string;
  readonly stackId: string;
  readonly stackName: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

export function contextOf(event: { RequestId: string; LogicalResourceId: string; StackId: string }): RequestContext {
  // arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<guid>
  const [, partition = 'aws', , region = '', account = '', resource = ''] = event.StackId.split(':');
  const stackName = resource.split('/')[1] ?? 'stack';
  return {
    requestId: event.RequestId,
    logicalResourceId: event.LogicalResourceId,
    stackId: event.StackId,
    stackName,
    partition,
    region: region || process.env.AWS_REGION || '',
    account,
  };
}

export function shortHash(...parts: string[]): string {
  // Required here, not imported: `crypto` (which loads `stream`) would otherwise load with the
  // handler code, before any request that hashes.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('crypto') as typeof Crypto;
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** The ownership tag's value: the same for every request of one stack resource, and only for it. */
export function ownerTagValue(context: RequestContext): string {
  return shortHash(context.stackId, context.logicalResourceId).slice(0, 40);
}

/**
 * A name in CloudFormation's style, `<stack>-<logicalId>-<hash>`: readable, and unique per request
 * (a retried request gets the same name, a replacement gets a new one). It starts with a letter.
 */
export function generatePhysicalName(context: RequestContext, rule: NameRule): string {
  const suffix = shortHash(context.stackId, context.logicalResourceId, context.requestId).slice(0, 12);
  const clean = (s: string) => [...s].filter((c) => rule.allowed.test(c)).join('');
  const room = rule.maxLength - suffix.length - 2 * rule.separator.length;
  const stackPart = clean(context.stackName).slice(0, Math.floor(room / 2));
  const logicalPart = clean(context.logicalResourceId).slice(0, room - stackPart.length);
  let name = [stackPart, logicalPart, suffix].filter((p) => p.length > 0).join(rule.separator);
  if (!/^[a-zA-Z]/.test(name)) name = `r${name}`.slice(0, rule.maxLength);
  return rule.lowerCase ? name.toLowerCase() : name;
}
