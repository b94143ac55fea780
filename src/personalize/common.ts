import { Arn, ArnFormat, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TAGGING_HANDLER_ACTIONS } from './perms';
import { PERSONALIZE_NAME_RULE } from '../contract';
import { TagRules, throwIfInvalid, validateString } from '../private/validation';
import { DatasetsProvider } from '../provider';

/** Personalize tag limits: 50 tags (one is the library's ownership tag), keys up to 128, values up to 256. */
export const PERSONALIZE_TAG_RULES: TagRules = {
  maxTags: 49,
  keyPattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u,
  valuePattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u,
  maxKeyLength: 128,
  maxValueLength: 256,
};

/** Messages for a Personalize name that breaks the service's rule. */
export function validatePersonalizeName(value: string | undefined, property: string): string[] {
  const { pattern, patternText, minLength, maxLength } = PERSONALIZE_NAME_RULE;
  return validateString(value, { property, pattern, patternText, minLength, maxLength });
}

/**
 * The stack's provider, with the handler role allowed to call `actions` on this account and
 * region's resources of `resourceType` (names are generated at deploy time, so the ARNs end in a
 * wildcard), and, for a resource type that takes tags, to tag them.
 */
export function personalizeProvider(scope: Construct, resourceType: string, actions: readonly string[], taggable = true): DatasetsProvider {
  const provider = DatasetsProvider.of(scope);
  provider._grantOnResourceType('personalize', resourceType, taggable ? withTagging(actions) : actions, () =>
    `Names of Personalize ${resourceType} resources are generated at deploy time, so the handler may act on any of this ` +
    'account and region; it only changes resources the stack created (ownership tag).');
  return provider;
}

/** Each action list with the tagging actions added, made once: the provider knows a list it has granted by identity. */
const WITH_TAGGING = new WeakMap<readonly string[], readonly string[]>();

function withTagging(actions: readonly string[]): readonly string[] {
  let all = WITH_TAGGING.get(actions);
  if (!all) {
    all = [...actions, ...TAGGING_HANDLER_ACTIONS];
    WITH_TAGGING.set(actions, all);
  }
  return all;
}

/**
 * The name part of a Personalize ARN (`arn:...:personalize:<region>:<account>:<resource>/<name>`),
 * a token for a token ARN; a literal ARN is checked first, and a message names `property`.
 */
export function nameFromPersonalizeArn(scope: Construct, arn: string, resource: string, property: string, what: string): string {
  const pattern = new RegExp(`^arn:[\\w-]+:personalize:[\\w-]+:\\d{12}:${resource}/[a-zA-Z0-9][a-zA-Z0-9\\-_]*$`);
  if (!Token.isUnresolved(arn) && !pattern.test(arn)) {
    throwIfInvalid(scope, [`${property} "${arn}" is not a Personalize ${what} ARN ` +
      `(arn:<partition>:personalize:<region>:<account>:${resource}/<name>)`]);
  }
  return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
}
