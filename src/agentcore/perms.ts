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
];

/**
 * What the handler calls that IAM can only allow on "*": CreateDataset (no ARN exists yet) and
 * ListDatasets (the name lookup of a retried create) have no resource type in the Service
 * Authorization Reference, and TagResource and UntagResource (tag changes in place) list no
 * dataset resource type. The dataset's tags are read from GetDataset, so ListTagsForResource is
 * not needed.
 */
export const EVALUATION_DATASET_ACCOUNT_ACTIONS = [
  'bedrock-agentcore:CreateDataset',
  'bedrock-agentcore:ListDatasets',
  'bedrock-agentcore:TagResource',
  'bedrock-agentcore:UntagResource',
];

/**
 * What reads an S3 source file: the service, with the caller's credentials (forward access
 * sessions), when the dataset is created; the handler itself, when an update changes the source.
 */
export const SOURCE_FILE_READ_ACTIONS = ['s3:GetObject'];

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

/** What AgentCore itself needs on the dataset's key (developer guide, "Required key policy", AllowAgentCoreDatasetAccess). */
export const DATASET_KEY_SERVICE_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'];

/** What reading an encrypted dataset's content needs on its key. */
export const DATASET_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
