import {
  CreateSchemaCommand, DeleteSchemaCommand, DescribeSchemaCommand, ListTagsForResourceCommand, PersonalizeClient, TagResourceCommand,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contextOf, generatePhysicalName } from '../../../lambda/core/naming';
import { isComplete, onEvent, resetHandlers } from '../../../lambda/index';
import { schemaAdapter } from '../../../lambda/personalize/schema';
import { PERSONALIZE_NAME_RULE } from '../../../src/contract';
import { completeEvent, createEvent, deleteEvent, serviceError, updateEvent } from '../fixtures';
import { alreadyGoneIsDeleted, failedCreateNeedsNoCall, subjectOf, waitBoundChangeCallsNothing } from '../shared-cases';

const TYPE = 'Custom::PersonalizeSchema';
const ARN = 'arn:aws:personalize:us-east-1:123456789012:schema/retail-interactions';
const SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [{ name: 'USER_ID', type: 'string' }, { name: 'ITEM_ID', type: 'string' }, { name: 'TIMESTAMP', type: 'long' }],
  version: '1.0',
});
const personalize = mockClient(PersonalizeClient);
const subject = subjectOf(TYPE, ARN, personalize, { describe: DescribeSchemaCommand, delete: DeleteSchemaCommand }, {
  properties: { Schema: SCHEMA },
});

beforeEach(() => {
  personalize.reset();
  resetHandlers();
  jest.restoreAllMocks();
});

/** The name the handler generates for a create request (stable across retries of that request). */
const generatedName = (event = createEvent(TYPE, {})) => generatePhysicalName(contextOf(event), PERSONALIZE_NAME_RULE);

describe('create', () => {
  test('creates under the fixed name with the schema JSON and domain; schemas take no tags', async () => {
    personalize.on(CreateSchemaCommand).resolves({ schemaArn: ARN });
    const response = await onEvent(createEvent(TYPE, {
      Name: 'retail-interactions', Schema: SCHEMA, Domain: 'ECOMMERCE', WaitTimeoutSeconds: '1800',
    }));
    expect(personalize).toHaveReceivedCommandTimes(CreateSchemaCommand, 1);
    expect(personalize.commandCalls(CreateSchemaCommand)[0].args[0].input).toEqual({ name: 'retail-interactions', schema: SCHEMA, domain: 'ECOMMERCE' });
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(response.Data).toEqual({ SchemaArn: ARN, SchemaName: 'retail-interactions' });
    expect(personalize).not.toHaveReceivedCommand(TagResourceCommand);
  });

  test('generates a valid name from the stack and logical id, the same for a retried request', async () => {
    personalize.on(CreateSchemaCommand).resolves({ schemaArn: ARN });
    await onEvent(createEvent(TYPE, { Schema: SCHEMA }));
    await onEvent(createEvent(TYPE, { Schema: SCHEMA }));
    const names = personalize.commandCalls(CreateSchemaCommand).map((c) => c.args[0].input.name!);
    expect(names[0]).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(names[1]).toBe(names[0]);
    expect(personalize.commandCalls(CreateSchemaCommand)[0].args[0].input.domain).toBeUndefined();
  });

  test('CreateSchema is synchronous: the first status call completes, with the attributes', async () => {
    personalize.on(DescribeSchemaCommand).resolves({ schema: { schemaArn: ARN, name: 'retail-interactions', schema: SCHEMA } });
    const event = createEvent(TYPE, { Schema: SCHEMA });
    // The core skips the framework's poll in the first second after a create (for every resource type).
    await expect(isComplete(completeEvent(event, { PhysicalResourceId: ARN, WaitStartedAt: Date.now() - 1_000 })))
      .resolves.toEqual({ IsComplete: true, Data: { SchemaArn: ARN, SchemaName: 'retail-interactions' } });
    expect(personalize).toHaveReceivedCommandTimes(DescribeSchemaCommand, 1);
    expect(personalize).toHaveReceivedCommandWith(DescribeSchemaCommand, { schemaArn: ARN });
  });

  test('a schema not visible yet is waited for', async () => {
    personalize.on(DescribeSchemaCommand).rejectsOnce(serviceError('ResourceNotFoundException', 'not found'));
    const event = createEvent(TYPE, { Schema: SCHEMA });
    await expect(isComplete(completeEvent(event, { PhysicalResourceId: ARN, WaitStartedAt: Date.now() - 5_000 })))
      .resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DescribeSchemaCommand, 1);
  });

  test('a schema Personalize rejects fails with its reason', async () => {
    personalize.on(CreateSchemaCommand).rejects(serviceError('InvalidInputException', 'Schema is missing required field ITEM_ID'));
    await expect(onEvent(createEvent(TYPE, { Name: 'retail-interactions', Schema: SCHEMA })))
      .rejects.toThrow('Could not create Personalize schema "retail-interactions": InvalidInputException: Schema is missing required field ITEM_ID');
  });

  test('a retried create adopts the schema it made under its generated name when the content matches', async () => {
    const name = generatedName();
    const arn = `arn:aws:personalize:us-east-1:123456789012:schema/${name}`;
    personalize.on(CreateSchemaCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Schema already exists'));
    // The same document, spaced and ordered differently.
    personalize.on(DescribeSchemaCommand, { schemaArn: arn })
      .resolves({ schema: { schemaArn: arn, name, schema: JSON.stringify(JSON.parse(SCHEMA), undefined, 2), domain: 'ECOMMERCE' } });
    const response = await onEvent(createEvent(TYPE, { Schema: SCHEMA, Domain: 'ECOMMERCE' }));
    expect(response.PhysicalResourceId).toBe(arn);
    expect(personalize).toHaveReceivedCommandTimes(CreateSchemaCommand, 1);
    expect(personalize).not.toHaveReceivedCommand(ListTagsForResourceCommand);
  });

  test.each([
    ['other content', { schema: SCHEMA.replace('TIMESTAMP', 'CREATED'), domain: undefined }],
    ['another domain', { schema: SCHEMA, domain: 'VIDEO_ON_DEMAND' as const }],
  ])('a schema under the generated name with %s is not adopted, and left alone', async (_title, existing) => {
    const name = generatedName();
    personalize.on(CreateSchemaCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Schema already exists'));
    personalize.on(DescribeSchemaCommand).resolves({ schema: { name, ...existing } });
    await expect(onEvent(createEvent(TYPE, { Schema: SCHEMA })))
      .rejects.toThrow(/Could not create Personalize schema "Recommendations-Retail1A2B3C4D-[0-9a-f]{12}": ResourceAlreadyExistsException: Schema already exists. A schema with this name exists; schemas cannot be tagged, so it cannot be shown to be this stack resource's own, and it is left untouched/);
    expect(personalize).not.toHaveReceivedCommand(DeleteSchemaCommand);
  });

  test('a taken fixed name fails without looking: ownership cannot be shown for an untagged schema', async () => {
    personalize.on(CreateSchemaCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Schema retail-interactions already exists'));
    await expect(onEvent(createEvent(TYPE, { Name: 'retail-interactions', Schema: SCHEMA })))
      .rejects.toThrow(/ResourceAlreadyExistsException: Schema retail-interactions already exists. A schema with this name exists; .* left untouched/);
    expect(personalize).not.toHaveReceivedCommand(DescribeSchemaCommand);
    expect(personalize).not.toHaveReceivedCommand(DeleteSchemaCommand);
  });

  test('throttling while reading the schema is not a failure: the next poll tries again', async () => {
    personalize.on(DescribeSchemaCommand).rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'));
    await expect(isComplete(completeEvent(createEvent(TYPE, { Schema: SCHEMA }), { PhysicalResourceId: ARN, WaitStartedAt: Date.now() - 5_000 })))
      .resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DescribeSchemaCommand, 1);
  });

  test('an unexpected error while reading the schema fails', async () => {
    personalize.on(DescribeSchemaCommand).rejectsOnce(serviceError('AccessDeniedException', 'not allowed'));
    await expect(isComplete(completeEvent(createEvent(TYPE, { Schema: SCHEMA }), { PhysicalResourceId: ARN, WaitStartedAt: Date.now() - 5_000 })))
      .rejects.toThrow(/Could not read the status of Personalize schema .*: AccessDeniedException: not allowed/);
  });
});

describe('update', () => {
  test.each([
    ['the schema JSON', { Schema: SCHEMA }, { Schema: SCHEMA.replace('"long"', '"float"') }],
    ['the domain', { Schema: SCHEMA }, { Schema: SCHEMA, Domain: 'ECOMMERCE' }],
  ])('a change of %s replaces a schema with a generated name under a new name', async (_title, before, after) => {
    const NEW = 'arn:aws:personalize:us-east-1:123456789012:schema/new';
    personalize.on(CreateSchemaCommand).resolves({ schemaArn: NEW });
    const response = await onEvent(updateEvent(TYPE, ARN, before, after));
    expect(response.PhysicalResourceId).toBe(NEW);
    const input = personalize.commandCalls(CreateSchemaCommand)[0].args[0].input;
    expect(input).toMatchObject({ schema: after.Schema, domain: (after as { Domain?: string }).Domain });
    expect(input.name).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(input.name).not.toBe(generatedName());
  });

  test('a fixed name with changed content fails before any change, saying what to do', async () => {
    personalize.on(DescribeSchemaCommand).resolves({ schema: { schemaArn: ARN, name: 'retail-interactions', schema: SCHEMA } });
    await expect(onEvent(updateEvent(TYPE, ARN, { Name: 'retail-interactions', Schema: SCHEMA },
      { Name: 'retail-interactions', Schema: SCHEMA.replace('"long"', '"float"') })))
      .rejects.toThrow(/Cannot change Schema of Personalize schema "retail-interactions".*Nothing was changed.*Remove the name/);
    expect(personalize.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeSchemaCommand']);
  });

  test('CloudFormation rolling that refusal back asks for the content the schema has (in any spacing): no change', async () => {
    personalize.on(DescribeSchemaCommand).resolves({ schema: { schemaArn: ARN, name: 'retail-interactions', schema: JSON.stringify(JSON.parse(SCHEMA), null, 2) } });
    const response = await onEvent(updateEvent(TYPE, ARN, { Name: 'retail-interactions', Schema: SCHEMA.replace('"long"', '"float"') },
      { Name: 'retail-interactions', Schema: SCHEMA }));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeSchemaCommand']);
  });

  test('a new fixed name is a new schema under that name', async () => {
    const NEW = 'arn:aws:personalize:us-east-1:123456789012:schema/retail-interactions-v2';
    personalize.on(CreateSchemaCommand).resolves({ schemaArn: NEW });
    const response = await onEvent(updateEvent(TYPE, ARN, { Name: 'retail-interactions', Schema: SCHEMA }, { Name: 'retail-interactions-v2', Schema: SCHEMA }));
    expect(response.PhysicalResourceId).toBe(NEW);
    expect(personalize).toHaveReceivedCommandWith(CreateSchemaCommand, { name: 'retail-interactions-v2' });
  });

  waitBoundChangeCallsNothing(subject);
});

describe('delete', () => {
  test('deletes, then completes once the schema is gone', async () => {
    personalize.on(DeleteSchemaCommand).resolves({});
    personalize.on(DescribeSchemaCommand).rejects(serviceError('ResourceNotFoundException', 'gone'));
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event);
    expect(personalize).toHaveReceivedCommandWith(DeleteSchemaCommand, { schemaArn: ARN });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
  });

  alreadyGoneIsDeleted(subject, 'a schema that is already gone counts as deleted, twice over');
  failedCreateNeedsNoCall(subject);

  test('a schema still used by a dataset being deleted is asked again with a growing interval, until it goes', async () => {
    let clock = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
    personalize.on(DeleteSchemaCommand)
      .rejectsOnce(serviceError('ResourceInUseException', 'Schema is in use by dataset arn:aws:personalize:us-east-1:123456789012:dataset/retail/INTERACTIONS'))
      .rejectsOnce(serviceError('ResourceInUseException', 'Schema is in use'))
      .resolves({});
    personalize.on(DescribeSchemaCommand)
      .resolvesOnce({ schema: { schemaArn: ARN } })
      .resolvesOnce({ schema: { schemaArn: ARN } })
      .resolvesOnce({ schema: { schemaArn: ARN } })
      .resolvesOnce({ schema: { schemaArn: ARN } })
      .rejects(serviceError('ResourceNotFoundException', 'gone'));
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event); // refused: the first retry waits 2 s
    expect(personalize).toHaveReceivedCommandTimes(DeleteSchemaCommand, 1);
    const poll = () => isComplete(completeEvent(event, response));

    clock += 1_000;
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DeleteSchemaCommand, 1); // within the interval: not asked
    clock += 1_500;
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DeleteSchemaCommand, 2); // refused again: the next retry waits 4 s
    clock += 3_000;
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DeleteSchemaCommand, 2);
    clock += 1_500;
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DeleteSchemaCommand, 3); // issued
    await expect(poll()).resolves.toEqual({ IsComplete: true });
  });

  test('a schema still in use at the wait bound fails with a message that says why', async () => {
    personalize.on(DeleteSchemaCommand).rejects(serviceError('ResourceInUseException', 'Schema is in use by 1 dataset(s)'));
    personalize.on(DescribeSchemaCommand).resolves({ schema: { schemaArn: ARN } });
    const event = deleteEvent(TYPE, ARN, { WaitTimeoutSeconds: '120' });
    const response = await onEvent(event);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, { ...response, WaitStartedAt: Date.now() - 121_000 })))
      .rejects.toThrow('Timed out after 120 seconds waiting for Personalize schema arn:aws:personalize:us-east-1:123456789012:schema/retail-interactions ' +
        'to be deleted; last status: ACTIVE: ResourceInUseException: Schema is in use by 1 dataset(s) (the schema is still used by a dataset: ' +
        'it can be deleted once no dataset uses it, and the deletion is retried until then). Raise the construct\'s waitTimeout (at most 1 hour) ' +
        'if the service needs longer.');
  });

  test('an unexpected delete error fails with the service\'s reason', async () => {
    personalize.on(DeleteSchemaCommand).rejects(serviceError('AccessDeniedException', 'not allowed'));
    await expect(onEvent(deleteEvent(TYPE, ARN))).rejects.toThrow(/Could not delete Personalize schema .*: AccessDeniedException: not allowed/);
  });
});

test('schemas cannot be tagged: the adapter declares no tagging, so no tag is ever sent or read', async () => {
  expect(schemaAdapter.capabilities.tagging).toBeUndefined();
  personalize.on(CreateSchemaCommand).resolves({ schemaArn: ARN });
  await onEvent(createEvent(TYPE, { Schema: '{}', Tags: [{ Key: 'team', Value: 'recs' }] }));
  expect(personalize.commandCalls(CreateSchemaCommand)[0].args[0].input).not.toHaveProperty('tags');
});
