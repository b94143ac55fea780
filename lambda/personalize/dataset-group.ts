/**
 * Personalize dataset groups. Only tags change in place; a change of name, domain, key or role
 * replaces the group. CreateDatasetGroup is asynchronous: the core waits for ACTIVE.
 */
import {
  CreateDatasetGroupCommand, DeleteDatasetGroupCommand, DescribeDatasetGroupCommand,
} from '@aws-sdk/client-personalize';
import { personalize } from './client';
import {
  generateName, isPersonalizeArn, lifecycleState, nameFromArn, personalizeArn, personalizeTagging, toPersonalizeTags,
} from './common';
import { ResourceAdapter } from '../core/types';

export const datasetGroupAdapter: ResourceAdapter = {
  resourceType: 'Custom::PersonalizeDatasetGroup',
  description: 'Personalize dataset group',
  nameProperty: 'Name',
  generateName,
  replaceOnChange: ['Name', 'Domain', 'KmsKeyArn', 'RoleArn'],
  isPhysicalId: (id) => isPersonalizeArn('dataset-group', id),

  async create({ properties, name, tags }) {
    const response = await personalize().send(new CreateDatasetGroupCommand({
      name,
      domain: properties.Domain,
      kmsKeyArn: properties.KmsKeyArn,
      roleArn: properties.RoleArn,
      tags: toPersonalizeTags(tags),
    }));
    return response.datasetGroupArn!;
  },

  // Dataset group ARNs follow from the name, so the holder of a taken name is known without a search.
  async findExisting({ context, name }) {
    return personalizeArn(context, 'dataset-group', name);
  },

  async describe(datasetGroupArn) {
    try {
      const { datasetGroup } = await personalize().send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
      const status = datasetGroup?.status ?? 'UNKNOWN';
      return {
        state: lifecycleState(status),
        status,
        failureReason: datasetGroup?.failureReason,
        attributes: { DatasetGroupArn: datasetGroupArn, DatasetGroupName: datasetGroup?.name ?? nameFromArn(datasetGroupArn) },
      };
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  },

  async currentProperties(datasetGroupArn) {
    const { datasetGroup } = await personalize().send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
    return { Name: datasetGroup?.name, Domain: datasetGroup?.domain, KmsKeyArn: datasetGroup?.kmsKeyArn, RoleArn: datasetGroup?.roleArn };
  },

  async delete(datasetGroupArn) {
    await personalize().send(new DeleteDatasetGroupCommand({ datasetGroupArn }));
  },

  attributesOf: (datasetGroupArn) => ({ DatasetGroupArn: datasetGroupArn, DatasetGroupName: nameFromArn(datasetGroupArn) }),

  ...personalizeTagging,
};
