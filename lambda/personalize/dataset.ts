/**
 * Personalize datasets. A dataset group holds at most one dataset of each type, and a dataset's
 * ARN follows from its group and type: arn:...:dataset/<group name>/<TYPE>.
 *
 *   Create  CreateDataset (the template makes it wait until the group is ACTIVE), then the core
 *           waits for ACTIVE; CREATE FAILED fails the deployment. A retried create finds the
 *           group's dataset of that type, and adopts it only when it carries this stack
 *           resource's ownership tag and the requested name.
 *   Update  Tags change in place. A new schema for an Items or Users dataset is applied in place
 *           with UpdateDataset; the core then waits until `latestDatasetUpdate` for that schema is
 *           ACTIVE, and a failed update fails with its `failureReason`. Personalize cannot change
 *           the schema of other dataset types: a new schema with the same content as the one in
 *           use (e.g. a renamed schema, or a schema recreated by a rollback) is accepted as is,
 *           anything else fails before any change. A new name, type or group is a replacement,
 *           which needs another group or type: the group cannot hold two datasets of one type.
 *   Delete  DeleteDataset, then wait until it is gone. A dataset that an import job is writing to
 *           (ResourceInUseException) is asked again, with a growing interval, until the wait bound.
 */
import {
  CreateDatasetCommand, DeleteDatasetCommand, DescribeDatasetCommand, DescribeSchemaCommand, UpdateDatasetCommand,
} from '@aws-sdk/client-personalize';
import { personalize } from './client';
import { generateName, lifecycleState, nameFromArn, personalizeTagging, toPersonalizeTags } from './common';
import { sameJson } from './schema';
import { describeError, LifecycleError } from '../core/errors';
import { Observation, Properties, ResourceAdapter } from '../core/types';

/** Dataset types whose schema UpdateDataset can replace ("Replacing a dataset's schema"). */
const SCHEMA_UPDATABLE = ['ITEMS', 'USERS'];
/** Properties that identify the dataset's place: its group and its type. */
const PLACE = ['DatasetGroupArn', 'DatasetType'];

export const datasetAdapter: ResourceAdapter = {
  resourceType: 'Custom::PersonalizeDataset',
  description: 'Personalize dataset',
  nameProperty: 'Name',
  generateName,
  replaceOnChange: ['Name', 'DatasetGroupArn', 'DatasetType'],
  isPhysicalId: (id) => /^arn:[\w-]+:personalize:[\w-]*:\d*:dataset\/[a-zA-Z0-9][a-zA-Z0-9\-_]*\/[A-Za-z_]+$/.test(id),

  // A schema change is applied by `update` (in place, or refused there); anything else replaces.
  replacedBy({ context, physicalId, oldProperties, properties, changed }) {
    const replacing = changed.filter((key) => key !== 'SchemaArn' && !sameValue(key, oldProperties[key], properties[key]));
    if (replacing.length === 0) return [];
    const samePlace = PLACE.every((key) => sameValue(key, oldProperties[key], properties[key]));
    if (samePlace) {
      throw new LifecycleError(`Cannot change ${replacing.join(', ')} of Personalize dataset ${physicalId} (${context.logicalResourceId}): ` +
        'Personalize cannot change it in place, and a replacement in the same dataset group cannot be created while this ' +
        `${properties.DatasetType} dataset exists (a group holds one dataset of each type). Nothing was changed. ` +
        'Keep the dataset as it is, or remove it in one deployment and add it again in the next (its data is deleted with it).');
    }
    return changed;
  },

  async create({ properties, name, tags }) {
    const response = await personalize().send(new CreateDatasetCommand({
      name,
      datasetGroupArn: properties.DatasetGroupArn,
      datasetType: properties.DatasetType,
      schemaArn: properties.SchemaArn,
      tags: toPersonalizeTags(tags),
    }));
    return response.datasetArn!;
  },

  // The group's dataset of this type holds the place. It is a retried create's own only with this
  // request's name (the core then checks the ownership tag).
  async findExisting({ properties, name }) {
    const datasetArn = datasetArnOf(properties.DatasetGroupArn, properties.DatasetType);
    try {
      const { dataset } = await personalize().send(new DescribeDatasetCommand({ datasetArn }));
      return dataset?.name === name ? datasetArn : undefined;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  },

  async describe(datasetArn, properties) {
    try {
      const { dataset } = await personalize().send(new DescribeDatasetCommand({ datasetArn }));
      const status = dataset?.status ?? 'UNKNOWN';
      const attributes = {
        DatasetArn: datasetArn,
        DatasetName: dataset?.name ?? '',
        DatasetType: dataset?.datasetType ?? properties?.DatasetType ?? '',
      };
      const observation: Observation = {
        state: lifecycleState(status),
        status,
        // DescribeDataset documents no failureReason for the dataset itself; pass one through if it comes.
        failureReason: status.startsWith('UPDATE') ? dataset?.latestDatasetUpdate?.failureReason
          : (dataset as { failureReason?: string } | undefined)?.failureReason,
        attributes,
      };
      return properties ? schemaUpdateState(observation, properties, dataset) : observation;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  },

  async update({ physicalId: datasetArn, oldProperties, properties }) {
    const schemaArn: string = properties.SchemaArn;
    if (schemaArn === oldProperties.SchemaArn) return; // e.g. only the case of the dataset type changed
    if (SCHEMA_UPDATABLE.includes(String(properties.DatasetType).toUpperCase())) {
      try {
        await personalize().send(new UpdateDatasetCommand({ datasetArn, schemaArn }));
      } catch (error) {
        throw new LifecycleError(`Could not replace the schema of Personalize dataset ${datasetArn} with ${schemaArn}: ${describeError(error)}`);
      }
      return;
    }
    // Interactions, Actions, Action_Interactions: only a schema like the one in use can be accepted.
    const { dataset } = await personalize().send(new DescribeDatasetCommand({ datasetArn }));
    const inUse = dataset?.schemaArn ?? oldProperties.SchemaArn;
    if (inUse === schemaArn || await sameSchema(inUse, schemaArn)) return;
    throw new LifecycleError(`Cannot change the schema of Personalize dataset ${datasetArn} from ${inUse} to ${schemaArn}: Personalize ` +
      `replaces the schema of Items and Users datasets only, not of ${properties.DatasetType} datasets, and a replacement in the same ` +
      'dataset group cannot be created while this one exists. Nothing was changed. Keep the schema as it is, or remove the dataset in ' +
      'one deployment and add it again with the new schema in the next (its data is deleted with it).');
  },

  async currentProperties(datasetArn, requested) {
    const { dataset } = await personalize().send(new DescribeDatasetCommand({ datasetArn }));
    const type = dataset?.datasetType;
    return {
      Name: dataset?.name,
      DatasetGroupArn: dataset?.datasetGroupArn,
      SchemaArn: dataset?.schemaArn,
      // Personalize answers the type in its own case.
      DatasetType: type && String(requested.DatasetType).toLowerCase() === type.toLowerCase() ? requested.DatasetType : type,
    };
  },

  async delete(datasetArn) {
    await personalize().send(new DeleteDatasetCommand({ datasetArn }));
  },

  attributesOf: (datasetArn) => ({ DatasetArn: datasetArn }),

  ...personalizeTagging,
};

/**
 * While a requested schema is being applied, the dataset's state is its `latestDatasetUpdate`'s:
 * ACTIVE is done, UPDATE FAILED fails with its reason. An Items or Users dataset that shows
 * neither the requested schema nor an update to it has not started the update yet.
 */
function schemaUpdateState(observation: Observation, properties: Properties,
  dataset: { schemaArn?: string; latestDatasetUpdate?: { schemaArn?: string; status?: string; failureReason?: string } } | undefined): Observation {
  if (observation.state !== 'ready') return observation;
  const requested = properties.SchemaArn;
  const update = dataset?.latestDatasetUpdate;
  if (update?.status && update.schemaArn === requested) {
    return {
      ...observation,
      state: lifecycleState(update.status),
      status: `${update.status} (latestDatasetUpdate to schema ${requested})`,
      failureReason: update.failureReason,
    };
  }
  if (dataset?.schemaArn !== requested && SCHEMA_UPDATABLE.includes(String(properties.DatasetType).toUpperCase())) {
    return { ...observation, state: 'in-progress', status: `${observation.status}, schema update to ${requested} not started yet` };
  }
  return observation;
}

/** Whether two schemas have the same content and domain. */
async function sameSchema(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([a, b].map((schemaArn) => personalize().send(new DescribeSchemaCommand({ schemaArn }))));
  return sameJson(first.schema?.schema, second.schema?.schema) && first.schema?.domain === second.schema?.domain;
}

/** arn:...:dataset/<group name>/<TYPE>, from the group's ARN and the dataset type. */
function datasetArnOf(datasetGroupArn: string, datasetType: string): string {
  const groupName = nameFromArn(datasetGroupArn);
  const prefix = datasetGroupArn.substring(0, datasetGroupArn.lastIndexOf(':dataset-group/'));
  return `${prefix}:dataset/${groupName}/${String(datasetType).toUpperCase()}`;
}

/** Dataset types compare without case; other values exactly. */
function sameValue(key: string, a: unknown, b: unknown): boolean {
  return key === 'DatasetType' ? String(a).toUpperCase() === String(b).toUpperCase() : a === b;
}
