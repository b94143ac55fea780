/**
 * Each resource type's replacement rules: which changed properties force a replacement, and which
 * changes are refused before anything is changed. The adapters (lambda/personalize/*,
 * lambda/agentcore/*) decide with them on every Update, and `cdk-datasets plan` decides with them
 * before a deployment; they call no service, so that both run the same code.
 *
 * What a rule cannot know without the service (whether a refused change is CloudFormation rolling
 * that refusal back, or whether two schemas hold the same document) is the adapter's to check; the
 * plan answers it from the templates.
 */
import { sameJson } from './core/json';
import type { ReplacementDecision, ReplacementQuestion } from './core/replacement';
import type { Properties, ResourceName } from '../src/contract';

export interface ResourceRules<R extends ResourceName> {
  /** Used in messages, e.g. `Personalize dataset group` (the adapter's description). */
  readonly description: string;
  decide(question: ReplacementQuestion<Properties<R>>): ReplacementDecision;
}

// ---- Personalize dataset groups and schemas: nothing but tags changes in place ----

const datasetGroup: ResourceRules<'DatasetGroup'> = {
  description: 'Personalize dataset group',
  decide: ({ changed }) => ({ replacedBy: changed }),
};

const schema: ResourceRules<'Schema'> = {
  description: 'Personalize schema',
  decide: ({ changed }) => ({ replacedBy: changed }),
};

// ---- Personalize datasets ----

/** Dataset types whose schema UpdateDataset can replace ("Replacing a dataset's schema"). */
const SCHEMA_UPDATABLE = ['ITEMS', 'USERS'];
/** Properties that identify the dataset's place: its group and its type. */
const PLACE = ['DatasetGroupArn', 'DatasetType'] as const;

/** Whether UpdateDataset can give a dataset of this type another schema. */
export function schemaUpdatable(properties: { readonly DatasetType: string }): boolean {
  return SCHEMA_UPDATABLE.includes(properties.DatasetType.toUpperCase());
}

/** The refusal of a new schema for a dataset type whose schema Personalize cannot replace. */
export function schemaChangeRefusal(datasetArn: string, inUse: string, schemaArn: string, datasetType: string): string {
  return `Cannot change the schema of Personalize dataset ${datasetArn} from ${inUse} to ${schemaArn}: Personalize ` +
    `replaces the schema of Items and Users datasets only, not of ${datasetType} datasets, and a replacement in the same ` +
    'dataset group cannot be created while this one exists. Nothing was changed. Keep the schema as it is, or remove the dataset in ' +
    'one deployment and add it again with the new schema in the next (its data is deleted with it).';
}

/** Whether two schemas (their Avro documents, compared as JSON values, and domains) are the same. */
export function sameSchemaContent(a: { schema?: string; domain?: string }, b: { schema?: string; domain?: string }): boolean {
  return sameJson(a.schema, b.schema) && (a.domain ?? undefined) === (b.domain ?? undefined);
}

/** Dataset types compare without case; other values exactly. */
function sameDatasetValue(key: string, a: unknown, b: unknown): boolean {
  return key === 'DatasetType' ? String(a).toUpperCase() === String(b).toUpperCase() : a === b;
}

const dataset: ResourceRules<'Dataset'> = {
  description: 'Personalize dataset',
  // A schema change is applied in place (or refused by the update's check); anything else replaces.
  decide({ context, physicalId, oldProperties, properties, changed }) {
    const valueOf = (p: Properties<'Dataset'>, key: string) => (p as unknown as Record<string, unknown>)[key];
    const replacing = changed.filter((key) => key !== 'SchemaArn' && !sameDatasetValue(key, valueOf(oldProperties, key), valueOf(properties, key)));
    if (replacing.length === 0) return { replacedBy: [] };
    const samePlace = PLACE.every((key) => sameDatasetValue(key, oldProperties[key], properties[key]));
    if (samePlace) {
      return {
        refused: `Cannot change ${replacing.join(', ')} of Personalize dataset ${physicalId} (${context.logicalResourceId}): ` +
          'Personalize cannot change it in place, and a replacement in the same dataset group cannot be created while this ' +
          `${properties.DatasetType} dataset exists (a group holds one dataset of each type). Nothing was changed. ` +
          'Keep the dataset as it is, or remove it in one deployment and add it again in the next (its data is deleted with it).',
      };
    }
    return { replacedBy: changed };
  },
};

// ---- Personalize dataset import jobs ----

/** Properties that steer the wait, not what is imported: they change in place. */
const IMPORT_IN_PLACE = ['WaitForCompletion'];

const datasetImport: ResourceRules<'DatasetImport'> = {
  description: 'Personalize dataset import job',
  // A job imports once: whatever changes what is imported (including properties added later) is a new job.
  decide: ({ changed }) => ({ replacedBy: changed.filter((key) => !IMPORT_IN_PLACE.includes(key)) }),
};

// ---- Personalize event trackers ----

const eventTracker: ResourceRules<'EventTracker'> = {
  description: 'Personalize event tracker',
  // A new group is a replacement (made in the new group); anything else in the same group cannot be,
  // since a group holds one tracker. The adapter lets the rollback of that refusal through.
  decide({ context, physicalId, oldProperties, properties, changed }) {
    if (changed.length === 0) return { replacedBy: [] };
    if (oldProperties.DatasetGroupArn === properties.DatasetGroupArn) {
      return {
        refused: `Cannot change ${changed.join(', ')} of Personalize event tracker ${physicalId} ` +
          `(${context.logicalResourceId}): Personalize cannot change it in place, and a dataset group holds one event tracker, so ` +
          'the replacement cannot be created in the same group while this one exists. Nothing was changed. Keep the tracker ' +
          'as it is, or remove it in one deployment and add it again in the next (its tracking id changes).',
      };
    }
    return { replacedBy: changed };
  },
};

// ---- AgentCore evaluation datasets ----

/** Properties the service cannot change: a change of them is a new dataset. */
const EVALUATION_REPLACING = ['DatasetName', 'SchemaType', 'KmsKeyArn'];

const evaluationDataset: ResourceRules<'EvaluationDataset'> = {
  description: 'AgentCore evaluation dataset',
  // Tags, the description and the examples change in place (the follow-up brings them to the request).
  decide({ context, oldProperties, properties, changed }) {
    const before = oldProperties.DatasetName;
    const after = properties.DatasetName;
    if (typeof before === 'string' && typeof after === 'string' && before !== after && before.toLowerCase() === after.toLowerCase()) {
      return {
        refused: `Cannot rename AgentCore evaluation dataset "${before}" to "${after}" (${context.logicalResourceId}): ` +
          'dataset names are unique regardless of case, so the replacement would need the name the old dataset still holds. ' +
          'Nothing was changed. Choose a name that differs in more than case, or remove the name so that one is generated.',
      };
    }
    return { replacedBy: changed.filter((key) => EVALUATION_REPLACING.includes(key)) };
  },
};

/** Every resource type's rules. */
export const RULES: { readonly [R in ResourceName]: ResourceRules<R> } = {
  DatasetGroup: datasetGroup,
  Schema: schema,
  Dataset: dataset,
  DatasetImport: datasetImport,
  EventTracker: eventTracker,
  EvaluationDataset: evaluationDataset,
};
