/** IAM actions, kept in one place for grants and for the handler role. */

/** What the handler calls to manage dataset groups. */
export const DATASET_GROUP_HANDLER_ACTIONS = [
  'personalize:CreateDatasetGroup',
  'personalize:DescribeDatasetGroup',
  'personalize:DeleteDatasetGroup',
];

/** What the handler calls to tag any Personalize resource it manages. */
export const TAGGING_HANDLER_ACTIONS = [
  'personalize:TagResource',
  'personalize:UntagResource',
  'personalize:ListTagsForResource',
];

export const DATASET_GROUP_READ_ACTIONS = [
  'personalize:DescribeDatasetGroup',
  'personalize:ListTagsForResource',
];

/** What Personalize needs on a customer managed key (Personalize developer guide, "Giving Amazon Personalize permission to use your AWS KMS key"). */
export const PERSONALIZE_KMS_ACTIONS = [
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'kms:DescribeKey',
  'kms:CreateGrant',
  'kms:ListGrants',
];
