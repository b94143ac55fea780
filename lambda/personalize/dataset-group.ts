/**
 * Personalize dataset groups. Only tags change in place; a change of name, domain, key or role
 * replaces the group. CreateDatasetGroup is asynchronous: the core waits for ACTIVE.
 */
import type { Domain } from '@aws-sdk/client-personalize';
import { isPersonalizeArn, lifecycleState, nameFromArn, personalize, personalizeArn, personalizeTagging, toPersonalizeTags, classifyPersonalizeError } from './common';
import { CreateDatasetGroupCommand, DeleteDatasetGroupCommand, DescribeDatasetGroupCommand } from './sdk.deferred';
import type { ResourceAdapter } from '../core/adapter';
import { replacingOrRefuse } from '../core/replacement';
import { RULES } from '../rules';

export const datasetGroupAdapter: ResourceAdapter<'DatasetGroup'> = {
  resource: 'DatasetGroup',
  description: RULES.DatasetGroup.description,
  isPhysicalId: (id) => isPersonalizeArn('dataset-group', id),
  attributesOf: (datasetGroupArn) => ({ DatasetGroupArn: datasetGroupArn, DatasetGroupName: nameFromArn(datasetGroupArn) }),
  classifyError: classifyPersonalizeError,
  // Nothing but tags changes in place.
  replacedBy: (change) => replacingOrRefuse(RULES.DatasetGroup.decide(change)),

  async create({ properties, name, tags }) {
    const response = await personalize().send(new CreateDatasetGroupCommand({
      name,
      domain: properties.Domain as Domain | undefined,
      kmsKeyArn: properties.KmsKeyArn,
      roleArn: properties.RoleArn,
      tags: toPersonalizeTags(tags),
    }));
    return response.datasetGroupArn!;
  },

  async describe(datasetGroupArn) {
    const { datasetGroup } = await personalize().send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
    const status = datasetGroup?.status ?? 'UNKNOWN';
    return {
      state: lifecycleState(status),
      status,
      failureReason: datasetGroup?.failureReason,
      attributes: { DatasetGroupArn: datasetGroupArn, DatasetGroupName: datasetGroup?.name ?? nameFromArn(datasetGroupArn) },
    };
  },

  async delete(datasetGroupArn) {
    await personalize().send(new DeleteDatasetGroupCommand({ datasetGroupArn }));
  },

  capabilities: {
    tagging: personalizeTagging,
    // Dataset group ARNs follow from the name, so the holder of a taken name is known without a search.
    adoption: {
      async findExisting({ context, name }) {
        return { physicalId: personalizeArn(context, 'dataset-group', name) };
      },
    },
    // A create refused for now (the account's request rate, as when a large stack creates many
    // groups at once) is tried again while waiting, under the ARN its name gives. Only for a
    // generated name: it is this stack resource's own, so a group found under it later is too.
    deferredCreate: {
      physicalIdOf: ({ context, properties, name }) => (properties.Name === undefined ? personalizeArn(context, 'dataset-group', name) : undefined),
    },
    currentValues: {
      async read(datasetGroupArn) {
        const { datasetGroup } = await personalize().send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
        return { Name: datasetGroup?.name, Domain: datasetGroup?.domain, KmsKeyArn: datasetGroup?.kmsKeyArn, RoleArn: datasetGroup?.roleArn };
      },
    },
  },
};
