import { createHash } from 'crypto';
import { OnEventRequest, RequestContext } from './types';

/** The tag that marks a resource as made by one stack resource, so retried creates never adopt another's. */
export const OWNER_TAG_KEY = 'cdk-datasets:owner';

export function contextOf(event: OnEventRequest): RequestContext {
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
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** The ownership tag's value: the same for every request of one stack resource, and only for it. */
export function ownerTagValue(context: RequestContext): string {
  return shortHash(context.stackId, context.logicalResourceId).slice(0, 40);
}

export interface NameRules {
  readonly maxLength: number;
  /** Characters allowed in the name (others are dropped). */
  readonly allowed: RegExp;
  readonly separator: string;
  /** Names compared without case by the service get a lower-case generated name. */
  readonly lowerCase?: boolean;
}

/**
 * A name in CloudFormation's style, `<stack>-<logicalId>-<hash>`: readable, and unique per request
 * (a retried request gets the same name, a replacement gets a new one). It starts with a letter.
 */
export function generatePhysicalName(context: RequestContext, rules: NameRules): string {
  const suffix = shortHash(context.stackId, context.logicalResourceId, context.requestId).slice(0, 12);
  const clean = (s: string) => [...s].filter((c) => rules.allowed.test(c)).join('');
  const room = rules.maxLength - suffix.length - 2 * rules.separator.length;
  const stackPart = clean(context.stackName).slice(0, Math.floor(room / 2));
  const logicalPart = clean(context.logicalResourceId).slice(0, room - stackPart.length);
  let name = [stackPart, logicalPart, suffix].filter((p) => p.length > 0).join(rules.separator);
  if (!/^[a-zA-Z]/.test(name)) name = `r${name}`.slice(0, rules.maxLength);
  return rules.lowerCase ? name.toLowerCase() : name;
}
