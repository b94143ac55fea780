/**
 * Token-aware validators. Each returns messages (empty when valid, or when the value is not known
 * until deploy time) that name the property, the value and the rule; `throwIfInvalid` adds the
 * construct path.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MAX_WAIT_TIMEOUT_SECONDS, RESERVED_TAG_PREFIX } from '../contract';

export interface StringRule {
  readonly property: string;
  readonly pattern?: RegExp;
  /** How the pattern reads in a message, e.g. `letters, digits, hyphens and underscores`. */
  readonly patternText?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}

export function validateString(value: string | undefined, rule: StringRule): string[] {
  if (value === undefined || Token.isUnresolved(value)) return [];
  const errors: string[] = [];
  const min = rule.minLength ?? 0;
  if (value.length < min || (rule.maxLength !== undefined && value.length > rule.maxLength)) {
    const range = rule.maxLength !== undefined ? `${min} to ${rule.maxLength}` : `at least ${min}`;
    errors.push(`${rule.property} "${truncate(value)}" is ${value.length} characters long; it must be ${range} characters`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    errors.push(`${rule.property} "${truncate(value)}" must match ${rule.pattern.source}` +
      (rule.patternText ? ` (${rule.patternText})` : ''));
  }
  return errors;
}

export interface TagRules {
  readonly maxTags: number;
  readonly keyPattern: RegExp;
  readonly valuePattern: RegExp;
  readonly maxKeyLength: number;
  readonly maxValueLength: number;
}

/** Tags as rendered by a TagManager of type KEY_VALUE. */
export function validateTags(tags: Array<{ key: string; value: string }>, rules: TagRules): string[] {
  const errors: string[] = [];
  if (tags.length > rules.maxTags) {
    errors.push(`tags: ${tags.length} tags are applied; at most ${rules.maxTags} are allowed ` +
      '(cdk-datasets keeps one more for its ownership tag)');
  }
  for (const { key, value } of tags) {
    if (Token.isUnresolved(key)) continue;
    if (key.toLowerCase().startsWith('aws:')) errors.push(`tag key "${key}" uses the reserved prefix "aws:"`);
    if (key.startsWith(RESERVED_TAG_PREFIX)) {
      errors.push(`tag key "${key}" uses the prefix "${RESERVED_TAG_PREFIX}", which the library keeps for its own tags`);
    }
    errors.push(...validateString(key, { property: 'tag key', pattern: rules.keyPattern, minLength: 1, maxLength: rules.maxKeyLength }));
    errors.push(...validateString(value, { property: `tag value of "${key}"`, pattern: rules.valuePattern, maxLength: rules.maxValueLength }));
  }
  return errors;
}

export function validateTimeout(timeout: Duration | undefined, property = 'waitTimeout'): string[] {
  if (timeout === undefined || Token.isUnresolved(timeout.toSeconds())) return [];
  const seconds = timeout.toSeconds();
  return seconds < 1 || seconds > MAX_WAIT_TIMEOUT_SECONDS
    ? [`${property} is ${seconds} seconds; it must be from 1 second to ${MAX_WAIT_TIMEOUT_SECONDS / 60} minutes ` +
      '(CloudFormation gives a custom resource an hour at most, and the wait must end before it does)']
    : [];
}

/** Fails synthesis at once with every message, each prefixed with the construct's path. */
export function throwIfInvalid(scope: IConstruct, errors: string[]): void {
  if (errors.length === 0) return;
  const error = new Error(errors.map((message) => `[${scope.node.path}] ${message}`).join('\n'));
  error.name = 'ValidationError';
  throw error;
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
