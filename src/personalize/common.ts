import { Arn, ArnFormat, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TAGGING_HANDLER_ACTIONS } from './perms';
import { DatasetsProvider, PERSONALIZE } from '../private/provider';
import { TagRules, throwIfInvalid } from '../private/validation';

/** Personalize resource names: a letter or digit, then letters, digits, hyphens, underscores; 1 to 63 characters. */
export const PERSONALIZE_NAME_RULE = {
  pattern: /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/,
  patternText: 'a letter or digit, then letters, digits, hyphens and underscores',
  minLength: 1,
  maxLength: 63,
};

/** Personalize tag limits: 50 tags (one is the library's ownership tag), keys up to 128, values up to 256. */
export const PERSONALIZE_TAG_RULES: TagRules = {
  maxTags: 49,
  keyPattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u,
  valuePattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u,
  maxKeyLength: 128,
  maxValueLength: 256,
};

/**
 * The stack's Personalize provider, with the handler role allowed to call `actions` on this
 * account and region's resources of `resourceType` (names are generated at deploy time, so the
 * ARNs end in a wildcard), and to tag them.
 */
export function personalizeProvider(scope: Construct, resourceType: string, actions: string[]): DatasetsProvider {
  const provider = DatasetsProvider.of(scope, PERSONALIZE);
  provider.grantHandlerOnResourceType('personalize', resourceType, [...actions, ...TAGGING_HANDLER_ACTIONS]);
  return provider;
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
