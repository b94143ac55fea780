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
 * What the dataset handler calls on the dataset's group: CreateDataset is authorized against the
 * new dataset and its dataset group (Service Authorization Reference: both resource types required).
 */
export const DATASET_GROUP_OF_DATASET_ACTIONS = ['personalize:CreateDataset'];

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
 * What the import handler calls on the dataset: CreateDatasetImportJob is authorized against the new
 * job and the dataset it imports into (both resource types required).
 */
export const DATASET_OF_IMPORT_ACTIONS = ['personalize:CreateDatasetImportJob'];

/**
 * What the handler does with a local file's staged copy: CopyObject writes it (PutObject) after
 * reading the asset (GetObject); HeadObject (GetObject, and ListBucket so that a missing copy is a
 * 404 rather than a 403) tells whether it is still there; DeleteObject removes it once the job ended.
 */
export const STAGED_COPY_OBJECT_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'];
export const STAGED_COPY_BUCKET_ACTIONS = ['s3:ListBucket'];
export const ASSET_READ_ACTIONS = ['s3:GetObject'];

/** What the handler calls to manage event trackers. */
export const EVENT_TRACKER_HANDLER_ACTIONS = [
  'personalize:CreateEventTracker',
  'personalize:DescribeEventTracker',
  'personalize:DeleteEventTracker',
];

/**
 * What the event tracker handler calls on the tracker's group: CreateEventTracker is authorized
 * against the new tracker and its dataset group (both resource types required).
 */
export const DATASET_GROUP_OF_EVENT_TRACKER_ACTIONS = ['personalize:CreateEventTracker'];

/** ListEventTrackers (the name lookup of a retried create) has no resource type: IAM grants it on "*" only. */
export const EVENT_TRACKER_LIST_ACTIONS = ['personalize:ListEventTrackers'];

export const EVENT_TRACKER_READ_ACTIONS = [
  'personalize:DescribeEventTracker',
  'personalize:ListTagsForResource',
];

/** PutEvents has no resource type in the Service Authorization Reference: IAM honours it on "*" only. */
export const PUT_EVENTS_ACTIONS = ['personalize:PutEvents'];
/** PutActionInteractions (through a tracker, too) has no resource type either. */
export const PUT_ACTION_INTERACTIONS_ACTIONS = ['personalize:PutActionInteractions'];

/** The record actions each dataset type takes (PutItems, PutUsers, PutActions), by the type's key. */
export const PUT_RECORDS_ACTIONS: Readonly<Record<string, string>> = {
  ITEMS: 'personalize:PutItems',
  USERS: 'personalize:PutUsers',
  ACTIONS: 'personalize:PutActions',
};

/**
 * What Personalize needs to read import data from S3, on the role it is given and in the bucket
 * policy (Personalize developer guide, "Giving Amazon Personalize access to Amazon S3 resources").
 * s3:GetObject applies to the objects, s3:ListBucket to the bucket.
 */
export const PERSONALIZE_S3_OBJECT_ACTIONS = ['s3:GetObject'];
export const PERSONALIZE_S3_BUCKET_ACTIONS = ['s3:ListBucket'];
