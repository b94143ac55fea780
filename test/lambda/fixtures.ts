/**
 * Shared builders for handler tests: a base CloudFormation request that each test spreads its
 * variant into, as the Provider framework would deliver it.
 */
import type { IsCompleteRequest, OnEventRequest, OnEventResponse } from '../../lambda/core/lifecycle';

export type Properties = Record<string, unknown>;

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Recommendations/5b6a6a40-0000-11ef-8000-0a1b2c3d4e5f';
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export function createEvent(resourceType: string, properties: Properties, overrides: Partial<OnEventRequest> = {}): OnEventRequest {
  return {
    RequestType: 'Create',
    ResourceType: resourceType,
    LogicalResourceId: 'Retail1A2B3C4D',
    StackId: STACK_ID,
    RequestId: 'c0ffee00-1111-2222-3333-444455556666',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/',
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider-framework-onEvent',
    ResourceProperties: { ServiceToken: 'token', ...properties },
    ...overrides,
  };
}

export function updateEvent(resourceType: string, physicalId: string, oldProperties: Properties, properties: Properties,
  overrides: Partial<OnEventRequest> = {}): OnEventRequest {
  return createEvent(resourceType, properties, {
    RequestType: 'Update',
    RequestId: 'c0ffee00-1111-2222-3333-777788889999',
    PhysicalResourceId: physicalId,
    OldResourceProperties: { ServiceToken: 'token', ...oldProperties },
    ...overrides,
  });
}

export function deleteEvent(resourceType: string, physicalId: string, properties: Properties = {}): OnEventRequest {
  return createEvent(resourceType, properties, {
    RequestType: 'Delete',
    RequestId: 'c0ffee00-1111-2222-3333-000000000000',
    PhysicalResourceId: physicalId,
  });
}

/** The isComplete request the Provider framework builds: the request merged with onEvent's response. */
export function completeEvent(event: OnEventRequest, response: OnEventResponse): IsCompleteRequest {
  return { ...event, ...response };
}

/** A service error as the SDK throws it. */
export function serviceError(name: string, message: string, httpStatusCode = 400): Error {
  const error = new Error(message) as Error & { $metadata: object; $fault: string };
  error.name = name;
  error.$metadata = { httpStatusCode };
  error.$fault = httpStatusCode >= 500 ? 'server' : 'client';
  return error;
}

// ---- What the handler tests act on: a retail dataset group and what it holds, an evaluation dataset ----

export const GROUP_ARN = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail';
export const SCHEMA_V1_ARN = 'arn:aws:personalize:us-east-1:123456789012:schema/interactions-v1';
export const SCHEMA_V2_ARN = 'arn:aws:personalize:us-east-1:123456789012:schema/interactions-v2';

/** The group's Interactions dataset. */
export const DATASET_ARN = 'arn:aws:personalize:us-east-1:123456789012:dataset/retail/INTERACTIONS';
export const DATASET_PROPERTIES = { DatasetGroupArn: GROUP_ARN, DatasetType: 'Interactions', SchemaArn: SCHEMA_V1_ARN };

/** An import of a month of interactions into it, waited for. */
export const IMPORT_JOB_ARN = 'arn:aws:personalize:us-east-1:123456789012:dataset-import-job/retail-interactions-2024-06';
export const IMPORT_ROLE_ARN = 'arn:aws:iam::123456789012:role/personalize-import';
export const IMPORT_PROPERTIES = {
  DatasetArn: DATASET_ARN,
  DataLocation: 's3://shop-data/interactions/2024-06.csv',
  ImportMode: 'FULL',
  RoleArn: IMPORT_ROLE_ARN,
  WaitForCompletion: 'true',
};

/** The group's event tracker: tracker ARNs end in an id the service generates, not in the name. */
export const TRACKER_ARN = 'arn:aws:personalize:us-east-1:123456789012:event-tracker/d2e0162e';

/** An AgentCore evaluation dataset, and the key it may be encrypted with. */
export const EVALUATION_DATASET_ID = 'checkout_eval-a1b2c3d4e5';
export const EVALUATION_DATASET_ARN = `arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/${EVALUATION_DATASET_ID}`;
export const PREDEFINED_SCHEMA_TYPE = 'AGENTCORE_EVALUATION_PREDEFINED_V1';
export const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
