import { classifyError } from '../../../lambda/core/errors';
import { classifyPersonalizeError, isPersonalizeArn, lifecycleState } from '../../../lambda/personalize/common';
import { serviceError } from '../fixtures';

describe('LimitExceededException, as Personalize means it', () => {
  test.each([
    ['the request-rate limit', 'The limit on the number of requests per second has been exceeded.', 'throttled'],
    ['the 5 running import jobs a region', 'More than 5 resources with PENDING or IN_PROGRESS status. You can have a total of 5 pending or in progress ' +
      'dataset import jobs per region. This quota is not adjustable.', 'in-use'],
    ['a resource-count quota, which waiting does not lift', 'You have reached the maximum number of active schemas (500).', 'fatal'],
  ])('%s is %s', (_what, message, kind) => {
    expect(classifyError(serviceError('LimitExceededException', message), classifyPersonalizeError)).toBe(kind);
  });

  test('other errors are left to the generic rules', () => {
    expect(classifyPersonalizeError(serviceError('ResourceInUseException', 'busy'))).toBeUndefined();
  });
});

test('statuses map to lifecycle states', () => {
  expect(['CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE', 'CREATE FAILED', 'UPDATE IN_PROGRESS', 'UPDATE FAILED', 'DELETE PENDING', 'DELETE FAILED']
    .map(lifecycleState)).toEqual(['in-progress', 'in-progress', 'ready', 'failed', 'in-progress', 'failed', 'deleting', 'delete-failed']);
});

test('ARNs of each resource type are told apart, datasets by their two name parts', () => {
  expect(isPersonalizeArn('dataset-group', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail')).toBe(true);
  expect(isPersonalizeArn('dataset', 'arn:aws:personalize:us-east-1:123456789012:dataset/retail/INTERACTIONS', 2)).toBe(true);
  expect(isPersonalizeArn('dataset', 'arn:aws:personalize:us-east-1:123456789012:dataset/retail', 2)).toBe(false);
  expect(isPersonalizeArn('dataset-group', 'c0ffee00-1111-2222-3333-444455556666')).toBe(false);
});
