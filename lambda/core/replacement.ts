/**
 * Which property changes a resource can take in place, which replace it, and which are refused:
 * the rules the handlers apply on every Update, kept free of the AWS SDK so that `cdk-datasets
 * plan` (cli/plan.ts) decides with the very same code before anything is deployed.
 *
 * Each resource type's own rules are in lambda/rules.ts; the core's are here: what counts as a
 * change, and the refusal of a replacement that would need a fixed name twice.
 */
import { LifecycleError } from './errors';
import { canonical } from './json';
import { OPERATIONAL_PROPERTY_KEYS, RESOURCES, type ResourceName } from '../../src/contract';

type RawProperties = Readonly<Record<string, unknown>>;

/** What a rule needs to know of an Update: the adapters' ChangeRequest satisfies it. */
export interface ReplacementQuestion<P> {
  readonly context: { readonly logicalResourceId: string };
  /** The resource's id, for messages. */
  readonly physicalId: string;
  readonly oldProperties: P;
  readonly properties: P;
  /** Names of the properties that differ (changedProperties). */
  readonly changed: readonly string[];
}

/**
 * A rule's answer: the changed properties that force a replacement (none: the change is made in
 * place), or a refusal, with the message the handler fails the update with.
 */
export type ReplacementDecision =
  | { readonly replacedBy: readonly string[] }
  | { readonly refused: string };

/** Names of the resource properties whose values differ, ignoring operational ones. */
export function changedProperties(before: RawProperties, after: RawProperties): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((key) => !OPERATIONAL_PROPERTY_KEYS.includes(key))
    .filter((key) => canonical(before[key]) !== canonical(after[key]))
    .sort();
}

/**
 * The refusal of a replacement that needs the same user-fixed name while the old resource still
 * holds it (the core's rule, for every resource type), or undefined when the name is generated or
 * changes with the replacement.
 */
export function fixedNameRefusal(
  resource: ResourceName, description: string, logicalResourceId: string,
  oldProperties: Readonly<Record<string, any>>, properties: Readonly<Record<string, any>>, replacing: readonly string[],
): string | undefined {
  if (replacing.length === 0) return undefined;
  const { nameProperty } = RESOURCES[resource];
  const fixedName = properties[nameProperty];
  if (fixedName === undefined || fixedName !== oldProperties[nameProperty]) return undefined;
  return `Cannot change ${replacing.join(', ')} of ${description} "${fixedName}" ` +
    `(${logicalResourceId}): the service cannot change ${replacing.length > 1 ? 'them' : 'it'} in place, ` +
    'and the replacement would need the same fixed name while the old one still exists. Nothing was changed. ' +
    'Remove the name so that one is generated, or give it a new name, in the same deployment.';
}

/** The changed properties that replace the resource; a refusal fails the update before anything is changed. */
export function replacingOrRefuse(decision: ReplacementDecision): readonly string[] {
  if ('refused' in decision) throw new LifecycleError(decision.refused);
  return decision.replacedBy;
}
