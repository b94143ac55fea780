/**
 * IAM actions, kept in one place for grants and for the handler role (Service Authorization
 * Reference, "Actions, resources, and condition keys for Amazon Bedrock AgentCore").
 */

/** What the handler calls on datasets: each takes a `dataset` resource, so they are scoped to dataset ARNs. */
export const EVALUATION_DATASET_HANDLER_ACTIONS = [
  'bedrock-agentcore:GetDataset',
  'bedrock-agentcore:UpdateDataset',
  'bedrock-agentcore:DeleteDataset',
  'bedrock-agentcore:ListDatasetExamples',
  'bedrock-agentcore:AddDatasetExamples',
  'bedrock-agentcore:UpdateDatasetExamples',
  'bedrock-agentcore:DeleteDatasetExamples',
  'bedrock-agentcore:CreateDatasetVersion',
  'bedrock-agentcore:ListDatasetVersions',
  // CreateDataset with tags also needs TagResource on the new dataset.
  'bedrock-agentcore:TagResource',
  'bedrock-agentcore:UntagResource',
  'bedrock-agentcore:ListTagsForResource',
];

/**
 * What the handler calls that has no resource type in the Service Authorization Reference, so it
 * can only be granted on "*": CreateDataset (no ARN exists yet) and ListDatasets (the name lookup
 * of a retried create).
 */
export const EVALUATION_DATASET_ACCOUNT_ACTIONS = [
  'bedrock-agentcore:CreateDataset',
  'bedrock-agentcore:ListDatasets',
];

export const EVALUATION_DATASET_READ_ACTIONS = [
  'bedrock-agentcore:GetDataset',
  'bedrock-agentcore:ListDatasetExamples',
  'bedrock-agentcore:ListDatasetVersions',
];

/**
 * What the caller of CreateDataset needs on the dataset's key: the service checks it with the
 * caller's credentials (forward access sessions) when the dataset is created and its examples
 * written (AgentCore developer guide, "Dataset encryption", AllowCallerAccess).
 */
export const DATASET_KEY_CALLER_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'];

/** What reading an encrypted dataset's content needs on its key. */
export const DATASET_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
