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

/** What the handler calls to manage schemas (schemas cannot be tagged: CreateSchema takes no tags). */
export const SCHEMA_HANDLER_ACTIONS = [
  'personalize:CreateSchema',
  'personalize:DescribeSchema',
  'personalize:DeleteSchema',
];

export const SCHEMA_READ_ACTIONS = [
  'personalize:DescribeSchema',
];

/** What the handler calls to manage datasets. */
export const DATASET_HANDLER_ACTIONS = [
  'personalize:CreateDataset',
  'personalize:DescribeDataset',
  'personalize:UpdateDataset',
  'personalize:DeleteDataset',
];

/**
 * What the dataset handler reads of schemas: on a schema change of a dataset type that cannot
 * change its schema, whether the new schema is the same as the one in use.
 */
export const DATASET_SCHEMA_HANDLER_ACTIONS = [
  'personalize:DescribeSchema',
];

export const DATASET_READ_ACTIONS = [
  'personalize:DescribeDataset',
  'personalize:ListTagsForResource',
];

/**
 * What the handler calls to manage dataset import jobs (import jobs cannot be deleted: their
 * "deletion" only waits for a running job to finish).
 */
export const DATASET_IMPORT_HANDLER_ACTIONS = [
  'personalize:CreateDatasetImportJob',
  'personalize:DescribeDatasetImportJob',
];

/**
 * What Personalize needs to read import data from S3, on the role it is given and in the bucket
 * policy (Personalize developer guide, "Giving Amazon Personalize access to Amazon S3 resources").
 * s3:GetObject applies to the objects, s3:ListBucket to the bucket.
 */
export const PERSONALIZE_S3_OBJECT_ACTIONS = ['s3:GetObject'];
export const PERSONALIZE_S3_BUCKET_ACTIONS = ['s3:ListBucket'];
