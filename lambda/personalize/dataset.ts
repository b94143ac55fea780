/**
 * Personalize datasets. A dataset group holds at most one dataset of each type, and a dataset's
 * ARN follows from its group and type: arn:...:dataset/<group name>/<TYPE>.
 *
 *   Create  CreateDataset (the template makes it wait until the group is ACTIVE), then the core
 *           waits for ACTIVE; CREATE FAILED fails the deployment. A retried create finds the
 *           group's dataset of that type, and adopts it only when it carries this stack
 *           resource's ownership tag and the requested name.
 *   Update  Tags change in place. A new schema for an Items or Users dataset is applied in place
 *           with UpdateDataset once the dataset is ACTIVE, then waited for until `latestDatasetUpdate`
 *           for that schema is ACTIVE; a failed update fails with its `failureReason`. Personalize
 *           cannot change the schema of other dataset types: a new schema with the same content as
 *           the one in use (e.g. a renamed schema, or a schema recreated by a rollback) is accepted
 *           as is, anything else fails before any change. A new name, type or group is a
 *           replacement, which needs another group or type: the group cannot hold two datasets of
 *           one type.
 *   Delete  DeleteDataset, then wait until it is gone. A dataset that an import job is writing to
 *           (ResourceInUseException) is asked again, with a growing interval, until the wait bound.
 */
import type { Dataset } from '@aws-sdk/client-personalize';
import { isPersonalizeArn, lifecycleState, nameFromArn, personalize, personalizeTagging, toPersonalizeTags, classifyPersonalizeError } from './common';
import { CreateDatasetCommand, DeleteDatasetCommand, DescribeDatasetCommand, DescribeSchemaCommand, UpdateDatasetCommand } from './sdk.deferred';
import type { ResourceAdapter } from '../core/adapter';
import { classifyError, LifecycleError } from '../core/errors';
import { replacingOrRefuse } from '../core/replacement';
import { RULES, sameSchemaContent, schemaChangeRefusal, schemaUpdatable } from '../rules';

export const datasetAdapter: ResourceAdapter<'Dataset'> = {
  resource: 'Dataset',
  description: RULES.Dataset.description,
  isPhysicalId: (id) => isPersonalizeArn('dataset', id, 2),
  attributesOf: (datasetArn) => ({ DatasetArn: datasetArn }),
  classifyError: classifyPersonalizeError,

  // A schema change is applied in place (or refused by the update's check); anything else replaces.
  replacedBy: (change) => replacingOrRefuse(RULES.Dataset.decide(change)),

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

  async describe(datasetArn, properties) {
    const { dataset } = await personalize().send(new DescribeDatasetCommand({ datasetArn }));
    const status = dataset?.status ?? 'UNKNOWN';
    const updating = status.startsWith('UPDATE');
    return {
      // A failed schema update leaves the dataset usable with its old schema: the update step
      // reports the failure when it was this request's update.
      state: updating && status.endsWith('FAILED') ? 'ready' : lifecycleState(status),
      status,
      // DescribeDataset documents no failureReason for the dataset itself; pass one through if it comes.
      failureReason: updating ? dataset?.latestDatasetUpdate?.failureReason
        : (dataset as { failureReason?: string } | undefined)?.failureReason,
      attributes: {
        DatasetArn: datasetArn,
        DatasetName: dataset?.name ?? '',
        DatasetType: dataset?.datasetType ?? properties?.DatasetType ?? '',
      },
      description: dataset,
    };
  },

  async delete(datasetArn) {
    await personalize().send(new DeleteDatasetCommand({ datasetArn }));
  },

  capabilities: {
    tagging: personalizeTagging,
    update: {
      // Interactions, Actions, Action_Interactions: only a schema like the one in use can be accepted.
      async check({ physicalId: datasetArn, oldProperties, properties }) {
        const schemaArn = properties.SchemaArn;
        if (schemaArn === oldProperties.SchemaArn || schemaUpdatable(properties)) return;
        const { dataset } = await personalize().send(new DescribeDatasetCommand({ datasetArn }));
        const inUse = dataset?.schemaArn ?? oldProperties.SchemaArn;
        if (inUse === schemaArn || await sameSchema(inUse, schemaArn)) return;
        throw new LifecycleError(schemaChangeRefusal(datasetArn, inUse, schemaArn, properties.DatasetType));
      },

      // Items and Users: UpdateDataset once, then wait for its latestDatasetUpdate.
      async apply({ physicalId: datasetArn, properties }, observation) {
        if (!schemaUpdatable(properties)) return { done: true }; // the check accepted the same content
        const requested = properties.SchemaArn;
        const dataset = observation.description as Dataset | undefined;
        const update = dataset?.latestDatasetUpdate;
        if (update?.schemaArn === requested && update.status) {
          if (update.status === 'ACTIVE') return { done: true };
          if (update.status.endsWith('FAILED')) {
            throw new LifecycleError(`Personalize dataset ${datasetArn}: the update to schema ${requested} is ${update.status}: ` +
              `${update.failureReason ?? 'the service gave no reason'}`);
          }
          return { done: false, status: `latestDatasetUpdate to schema ${requested} is ${update.status}` };
        }
        if (dataset?.schemaArn === requested) return { done: true };
        await personalize().send(new UpdateDatasetCommand({ datasetArn, schemaArn: requested }));
        return { done: false, status: `schema update to ${requested} requested` };
      },
    },
    // The group's dataset of this type holds the place. It is a retried create's own only with this
    // request's name and the ownership tag (which the core checks).
    adoption: {
      async findExisting({ properties, name }) {
        const datasetArn = datasetArnOf(properties.DatasetGroupArn, properties.DatasetType);
        try {
          const { dataset } = await personalize().send(new DescribeDatasetCommand({ datasetArn }));
          return dataset?.name === name ? { physicalId: datasetArn } : undefined;
        } catch (error) {
          if (classifyError(error) === 'not-found') return undefined;
          throw error;
        }
      },
    },
    currentValues: {
      async read(datasetArn, requested) {
        const { dataset } = await personalize().send(new DescribeDatasetCommand({ datasetArn }));
        const type = dataset?.datasetType;
        return {
          Name: dataset?.name,
          DatasetGroupArn: dataset?.datasetGroupArn,
          SchemaArn: dataset?.schemaArn,
          // Personalize answers the type in its own case.
          DatasetType: type && requested.DatasetType.toLowerCase() === type.toLowerCase() ? requested.DatasetType : type,
        };
      },
    },
  },
};

/** Whether two schemas have the same content and domain. */
async function sameSchema(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([a, b].map((schemaArn) => personalize().send(new DescribeSchemaCommand({ schemaArn }))));
  return sameSchemaContent(first.schema ?? {}, second.schema ?? {});
}

/** arn:...:dataset/<group name>/<TYPE>, from the group's ARN and the dataset type. */
export function datasetArnOf(datasetGroupArn: string, datasetType: string): string {
  const groupName = nameFromArn(datasetGroupArn);
  const prefix = datasetGroupArn.substring(0, datasetGroupArn.lastIndexOf(':dataset-group/'));
  return `${prefix}:dataset/${groupName}/${datasetType.toUpperCase()}`;
}
