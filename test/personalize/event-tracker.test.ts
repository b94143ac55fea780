import { App, CfnElement, Duration, Lazy, RemovalPolicies, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { DatasetGroup, DatasetType, EventTracker, EventTrackerProps, IEventTracker, Schema, SchemaField } from '../../src';
import { serviceTokenOf, snapshotTemplate, synthFindings, validatingApp } from '../support/stack';

const TYPE = 'Custom::PersonalizeEventTracker';
const ARN = 'arn:aws:personalize:us-east-1:123456789012:event-tracker/a1b2c3d4';
const GROUP_ARN = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy';

function newStack(): Stack {
  return new Stack(validatingApp(), 'Recommendations', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** A tracker in a new group of the stack, with the given props. */
function tracker(stack: Stack, props: Partial<EventTrackerProps> = {}): EventTracker {
  return new EventTracker(stack, 'Tracker', { datasetGroup: props.datasetGroup ?? new DatasetGroup(stack, 'Retail'), ...props });
}

/** The logical id of a construct's custom resource, or of a CloudFormation resource itself. */
function logicalId(construct: IConstruct): string {
  const cfn = (construct.node.tryFindChild('Resource')?.node.defaultChild ?? construct.node.defaultChild) as CfnElement;
  return Stack.of(construct).getLogicalId(cfn);
}

function ingestFunction(stack: Stack, id = 'Ingest'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
  });
}

/** The statements of a role's policies. */
function statementsOf(stack: Stack, role: iam.IRole): any[] {
  const roleId = logicalId(role);
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

function handlerStatements(stack: Stack): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('HandlerRole') }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('EventTracker', () => {
  test('the design usage: group.addEventTracker makes a tracker in the group, once the group is ACTIVE', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    const created = group.addEventTracker('Tracker');
    expect(created.datasetGroup).toBe(group);
    expect(created.node.scope).toBe(group);
    Template.fromStack(stack).hasResource(TYPE, {
      Properties: {
        ServiceToken: serviceTokenOf(stack),
        ServiceTimeout: '3600',
        // A reference: the tracker is created once the group's resource has completed (ACTIVE), and deleted before it.
        DatasetGroupArn: { Ref: logicalId(group) },
        Name: Match.absent(),
        Tags: Match.absent(),
        WaitTimeoutSeconds: 1800,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('every prop reaches the resource: name, tags, wait bound', () => {
    const stack = newStack();
    const created = tracker(stack, { eventTrackerName: 'retail-tracker_1', waitTimeout: Duration.minutes(10) });
    Tags.of(created).add('team', 'recs');
    Template.fromStack(stack).hasResourceProperties(TYPE, {
      Name: 'retail-tracker_1', Tags: [{ Key: 'team', Value: 'recs' }], WaitTimeoutSeconds: 600,
    });
  });

  test('tags of the group reach its tracker', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    group.addEventTracker('Tracker');
    Tags.of(group).add('cost-center', '42');
    Template.fromStack(stack).hasResourceProperties(TYPE, { Tags: [{ Key: 'cost-center', Value: '42' }] });
  });

  test('attributes: the ARN is the Ref, the name and tracking id come from the custom resource', () => {
    const stack = newStack();
    const created = tracker(stack);
    const id = logicalId(created);
    expect(stack.resolve(created.eventTrackerArn)).toEqual({ Ref: id });
    expect(stack.resolve(created.eventTrackerName)).toEqual({ 'Fn::GetAtt': [id, 'EventTrackerName'] });
    expect(stack.resolve(created.trackingId)).toEqual({ 'Fn::GetAtt': [id, 'TrackingId'] });
    expect(tracker(newStack(), { eventTrackerName: 'fixed' }).eventTrackerName).toBe('fixed');
  });

  describe('removal policy', () => {
    test.each([
      [RemovalPolicy.RETAIN, 'Retain'],
      [RemovalPolicy.DESTROY, 'Delete'],
    ])('taken from the group: %s', (groupPolicy, deletionPolicy) => {
      const stack = newStack();
      const created = new DatasetGroup(stack, 'Retail', { removalPolicy: groupPolicy }).addEventTracker('Tracker');
      expect(created.removalPolicy).toBe(groupPolicy);
      Template.fromStack(stack).hasResource(TYPE, { DeletionPolicy: deletionPolicy, UpdateReplacePolicy: deletionPolicy });
    });

    test('its own, when given', () => {
      const stack = newStack();
      const group = new DatasetGroup(stack, 'Retail', { removalPolicy: RemovalPolicy.RETAIN });
      group.addEventTracker('Tracker', { removalPolicy: RemovalPolicy.DESTROY });
      Template.fromStack(stack).hasResource(TYPE, { DeletionPolicy: 'Delete' });
    });

    test('a retained tracker in a destroyed group is an error: the group could not be deleted', () => {
      const stack = newStack();
      new DatasetGroup(stack, 'Retail', { removalPolicy: RemovalPolicy.DESTROY }).addEventTracker('Tracker', { removalPolicy: RemovalPolicy.RETAIN });
      expect(() => Template.fromStack(stack)).toThrow(
        '[Recommendations/Retail/Tracker] removalPolicy: this event tracker is retained but its dataset group Recommendations/Retail is ' +
        'destroyed; Personalize cannot delete a dataset group that still holds an event tracker, so deleting the group would fail. ' +
        'Destroy the tracker with its group (omit removalPolicy to take the group\'s), or retain the group');
    });

    test('the check sees removal policies that aspects apply; a destroyed tracker in a retained group is fine', () => {
      const stack = newStack();
      const group = new DatasetGroup(stack, 'Retail');
      group.addEventTracker('Tracker');
      RemovalPolicies.of(group.node.findChild('Resource')).destroy();
      expect(() => Template.fromStack(stack)).toThrow(/\[Recommendations\/Retail\/Tracker\] removalPolicy: this event tracker is retained/);

      const fine = newStack();
      new DatasetGroup(fine, 'Retail').addEventTracker('Tracker', { removalPolicy: RemovalPolicy.DESTROY });
      expect(() => Template.fromStack(fine)).not.toThrow();
    });

    test('retained in a group imported by ARN, whose policy is not known', () => {
      const stack = newStack();
      const created = tracker(stack, { datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'Legacy', GROUP_ARN) });
      expect(created.removalPolicy).toBe(RemovalPolicy.RETAIN);
      Template.fromStack(stack).hasResource(TYPE, { DeletionPolicy: 'Retain', Properties: Match.objectLike({ DatasetGroupArn: GROUP_ARN }) });
    });
  });

  describe('validation', () => {
    test('one tracker per group: a second one fails synthesis, naming the group and both trackers', () => {
      const stack = newStack();
      const group = new DatasetGroup(stack, 'Retail');
      group.addEventTracker('First');
      new EventTracker(stack, 'Second', { datasetGroup: group });
      expect(() => Template.fromStack(stack)).toThrow(
        '[Recommendations/Second] datasetGroup: dataset group Recommendations/Retail already has an event tracker, ' +
        'Recommendations/Retail/First, and this is another one (Recommendations/Second); a dataset group holds at most one event tracker');
    });

    test('one tracker per group holds for two imports of the same group too; trackers of two groups are fine', () => {
      const stack = newStack();
      tracker(stack, { datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'A', GROUP_ARN) });
      new EventTracker(stack, 'Other', { datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'B', GROUP_ARN) });
      expect(() => Template.fromStack(stack)).toThrow(/\[Recommendations\/Other\] datasetGroup: dataset group Recommendations\/B already has an event tracker, Recommendations\/Tracker/);

      const fine = newStack();
      new DatasetGroup(fine, 'One').addEventTracker('Tracker');
      new DatasetGroup(fine, 'Two').addEventTracker('Tracker');
      expect(() => Template.fromStack(fine)).not.toThrow();
    });

    test.each([
      ['-starts-with-hyphen', /eventTrackerName "-starts-with-hyphen" must match .*\(a letter or digit, then letters, digits, hyphens and underscores\)/],
      ['has space', /eventTrackerName "has space" must match/],
      ['t'.repeat(64), /eventTrackerName "t{64}" is 64 characters long; it must be 1 to 63 characters/],
    ])('name %j is rejected with the path, the value and the rule', (eventTrackerName, message) => {
      expect(() => tracker(newStack(), { eventTrackerName })).toThrow(message);
      expect(() => tracker(newStack(), { eventTrackerName })).toThrow(/^\[Recommendations\/Tracker\]/);
    });

    test('an unresolved name is not checked', () => {
      expect(() => tracker(newStack(), { eventTrackerName: Lazy.string({ produce: () => '-x' }) })).not.toThrow();
    });

    test('a wait bound over 55 minutes is rejected', () => {
      expect(() => tracker(newStack(), { waitTimeout: Duration.minutes(56) })).toThrow(/waitTimeout is 3360 seconds; it must be from 1 second to 55 minutes/);
    });

    test('more than 49 tags fail synthesis', () => {
      const stack = newStack();
      const created = tracker(stack);
      for (let i = 0; i < 50; i++) Tags.of(created).add(`k${i}`, 'v');
      expect(() => Template.fromStack(stack)).toThrow(/\[Recommendations\/Tracker\] tags: 50 tags are applied; at most 49 are allowed/);
    });
  });

  describe('imports', () => {
    test('fromEventTrackerAttributes: the ARN and tracking id as given; grants work', () => {
      const stack = newStack();
      const imported = EventTracker.fromEventTrackerAttributes(stack, 'Imported', { eventTrackerArn: ARN, trackingId: 'tracking-id' });
      expect(imported.eventTrackerArn).toBe(ARN);
      expect(imported.trackingId).toBe('tracking-id');
      expect(imported.env).toEqual({ account: '123456789012', region: 'us-east-1' });
      const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
      imported.grantRead(reader);
      expect(statementsOf(stack, reader)).toEqual([{
        Action: ['personalize:DescribeEventTracker', 'personalize:ListTagsForResource'], Effect: 'Allow', Resource: ARN,
      }]);
    });

    test.each([
      'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy',
      'arn:aws:personalize:us-east-1:123456789012:event-tracker/',
      'not-an-arn',
    ])('a literal ARN that is not an event tracker ARN is rejected: %s', (eventTrackerArn) => {
      expect(() => EventTracker.fromEventTrackerAttributes(newStack(), 'Imported', { eventTrackerArn, trackingId: 'x' }))
        .toThrow(/^\[Recommendations\] eventTrackerArn ".*" is not a Personalize event tracker ARN \(arn:<partition>:personalize:<region>:<account>:event-tracker\/<id>\)/);
    });

    test('a token ARN is not checked', () => {
      const stack = newStack();
      const arn = tracker(stack).eventTrackerArn;
      expect(EventTracker.fromEventTrackerAttributes(stack, 'Imported', { eventTrackerArn: arn, trackingId: 'x' }).eventTrackerArn).toBe(arn);
    });
  });

  describe('grants', () => {
    test('grantRead: describe and list tags on the tracker', () => {
      const stack = newStack();
      const created = tracker(stack);
      const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
      created.grantRead(reader);
      expect(statementsOf(stack, reader)).toEqual([{
        Action: ['personalize:DescribeEventTracker', 'personalize:ListTagsForResource'], Effect: 'Allow', Resource: { Ref: logicalId(created) },
      }]);
    });

    test('grantPutEvents: PutEvents on "*" (IAM knows no resource type for it), and no tracking id for a grantee that is not a function', () => {
      const stack = newStack();
      const role = new iam.Role(stack, 'Sender', { assumedBy: new iam.AccountRootPrincipal() });
      const grant = tracker(stack).grantPutEvents(role);
      expect(grant.success).toBe(true);
      expect(statementsOf(stack, role)).toEqual([{ Action: 'personalize:PutEvents', Effect: 'Allow', Resource: '*' }]);
    });

    test('grantPutEvents hands a Lambda function the tracking id in PERSONALIZE_TRACKING_ID', () => {
      const stack = newStack();
      const ingest = ingestFunction(stack);
      const created = tracker(stack);
      created.grantPutEvents(ingest);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Environment: { Variables: { PERSONALIZE_TRACKING_ID: { 'Fn::GetAtt': [logicalId(created), 'TrackingId'] } } },
      });
      expect(statementsOf(stack, ingest.role!)).toContainEqual({ Action: 'personalize:PutEvents', Effect: 'Allow', Resource: '*' });
    });

    test('grantPutEvents with another variable name', () => {
      const stack = newStack();
      const ingest = ingestFunction(stack);
      const created = tracker(stack);
      created.grantPutEvents(ingest, { trackingIdVariable: 'RETAIL_TRACKING_ID' });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { RETAIL_TRACKING_ID: { 'Fn::GetAtt': [logicalId(created), 'TrackingId'] }, PERSONALIZE_TRACKING_ID: Match.absent() } },
      });
    });

    test('two trackers handed to one function under one variable are refused; under two variables they are fine', () => {
      const stack = newStack();
      const ingest = ingestFunction(stack);
      const first = new DatasetGroup(stack, 'One').addEventTracker('Tracker');
      const second = new DatasetGroup(stack, 'Two').addEventTracker('Tracker');
      first.grantPutEvents(ingest);
      expect(() => second.grantPutEvents(ingest)).toThrow(
        '[Recommendations/Ingest] the environment variable PERSONALIZE_TRACKING_ID holds the tracking id of Recommendations/One/Tracker ' +
        'already; give the grant of Recommendations/Two/Tracker another trackingIdVariable');
      second.grantPutEvents(ingest, { trackingIdVariable: 'TWO_TRACKING_ID' });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            PERSONALIZE_TRACKING_ID: { 'Fn::GetAtt': [logicalId(first), 'TrackingId'] },
            TWO_TRACKING_ID: { 'Fn::GetAtt': [logicalId(second), 'TrackingId'] },
          },
        },
      });
    });

    test('the same tracker handed twice under one variable (events and action interactions) is fine', () => {
      const stack = newStack();
      const ingest = ingestFunction(stack);
      const created = tracker(stack);
      created.grantPutEvents(ingest);
      expect(() => created.grantPutActionInteractions(ingest)).not.toThrow();
    });

    test('grantPutActionInteractions: PutActionInteractions on "*", and the tracking id for a function', () => {
      const stack = newStack();
      const ingest = ingestFunction(stack);
      const created = tracker(stack);
      created.grantPutActionInteractions(ingest, { trackingIdVariable: 'ACTIONS_TRACKING_ID' });
      expect(statementsOf(stack, ingest.role!)).toContainEqual({ Action: 'personalize:PutActionInteractions', Effect: 'Allow', Resource: '*' });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { ACTIONS_TRACKING_ID: { 'Fn::GetAtt': [logicalId(created), 'TrackingId'] } } },
      });
    });

    test('an imported tracker hands its given tracking id', () => {
      const stack = newStack();
      const ingest = ingestFunction(stack);
      EventTracker.fromEventTrackerAttributes(stack, 'Imported', { eventTrackerArn: ARN, trackingId: 'tracking-id' }).grantPutEvents(ingest);
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { PERSONALIZE_TRACKING_ID: 'tracking-id' } } });
    });

    test('the cdk-nag finding of "*" is acknowledged on the grantee\'s policy only: a user\'s own finding elsewhere is still reported', () => {
      const stack = new Stack(validatingApp(), 'Events');
      const senderRole = new iam.Role(stack, 'Sender', { assumedBy: new iam.AccountRootPrincipal() });
      const created = new DatasetGroup(stack, 'Retail').addEventTracker('Tracker');
      created.grantPutEvents(senderRole);
      created.grantPutActionInteractions(senderRole);
      // The user's own, unrelated: a wildcard resource on another role.
      const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
      other.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
      const findings = synthFindings(stack.node.scope as App);
      expect(findings).toContain('Events/Other/DefaultPolicy/Resource');
      expect(findings).toMatch(/AwsSolutions-IAM5\[Resource::\*\]/);
      expect(findings).not.toContain('Events/Sender');
      expect(findings).not.toContain('Events/Retail');
      expect(findings).not.toContain('CdkDatasets');
    });

    test('a group, an Interactions dataset, a tracker and a function as users write it, granted PutEvents: no finding from the library, schema validation passes', () => {
      const stack = new Stack(validatingApp(), 'Events');
      const group = new DatasetGroup(stack, 'Retail');
      group.addDataset('Interactions', {
        datasetType: DatasetType.INTERACTIONS,
        schema: new Schema(stack, 'InteractionsSchema', {
          datasetType: DatasetType.INTERACTIONS,
          fields: [SchemaField.string('USER_ID'), SchemaField.string('ITEM_ID'), SchemaField.long('TIMESTAMP'), SchemaField.string('EVENT_TYPE')],
        }),
      });
      group.addEventTracker('Tracker').grantPutEvents(ingestFunction(stack));
      const findings = synthFindings(stack.node.scope as App);
      // What is left is the user's own: the function's default role with AWS's managed basic execution policy.
      const reported = [...findings.matchAll(/^\s+(\S+) \S+\n\s+Acknowledge with '([^']+)'/gm)].map((m) => `${m[1]} ${m[2]}`);
      expect(reported).toEqual([expect.stringMatching(/^Events\/Ingest\/ServiceRole\/Resource AwsSolutions::AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\]$/)]);
      expect(findings.match(/ERROR|WARN/g)).toHaveLength(1); // nothing else: no other rule, no schema finding
      expect(findings).not.toContain('DefaultPolicy');
      expect(findings).not.toContain('Events/Retail');
      expect(findings).not.toContain('CdkDatasets');
    });

    test('without a user\'s finding, a tracker and its grants add none', () => {
      const stack = new Stack(validatingApp(), 'Events');
      const created = new DatasetGroup(stack, 'Retail').addEventTracker('Tracker', { eventTrackerName: 'retail' });
      created.grantPutEvents(new iam.Role(stack, 'Sender', { assumedBy: new iam.AccountRootPrincipal() }));
      expect(synthFindings(stack.node.scope as App)).toBe('');
    });
  });

  describe('the handler role', () => {
    test('manages trackers of this account and region, creates them in the group (ARN pattern), lists them on "*"', () => {
      const stack = newStack();
      tracker(stack);
      const statements = handlerStatements(stack);
      const arnOf = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:us-east-1:123456789012:${resource}/*`]] });
      expect(statements).toContainEqual({
        Action: [
          'personalize:CreateEventTracker', 'personalize:DescribeEventTracker', 'personalize:DeleteEventTracker',
          'personalize:TagResource', 'personalize:UntagResource', 'personalize:ListTagsForResource',
        ],
        Effect: 'Allow',
        Resource: arnOf('event-tracker'),
      });
      // CreateEventTracker is authorized against the group too (both resource types are required).
      expect(statements).toContainEqual(expect.objectContaining({
        Action: expect.arrayContaining(['personalize:CreateEventTracker']), Resource: arnOf('dataset-group'),
      }));
      expect(statements).toContainEqual({ Action: 'personalize:ListEventTrackers', Effect: 'Allow', Resource: '*' });
    });
  });

  test('snapshot: a tracker in a destroyed group, handed to a function', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail', { removalPolicy: RemovalPolicy.DESTROY });
    const created: IEventTracker = group.addEventTracker('Tracker', { eventTrackerName: 'retail' });
    created.grantPutEvents(ingestFunction(stack));
    Tags.of(group).add('team', 'recs');
    expect(snapshotTemplate(stack)).toMatchSnapshot();
  });
});
