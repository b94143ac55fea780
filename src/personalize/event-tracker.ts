import { Duration, IResource, ITaggableV2, RemovalPolicy, Resource, TagManager, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { PERSONALIZE_TAG_RULES, personalizeProvider, validatePersonalizeName } from './common';
import type { IDatasetGroup } from './dataset-group';
import {
  DATASET_GROUP_OF_EVENT_TRACKER_ACTIONS, EVENT_TRACKER_HANDLER_ACTIONS, EVENT_TRACKER_LIST_ACTIONS, EVENT_TRACKER_READ_ACTIONS,
  PUT_ACTION_INTERACTIONS_ACTIONS, PUT_EVENTS_ACTIONS,
} from './perms';
import { AppRegistry } from '../private/app-registry';
import { acknowledge } from '../private/nag';
import { addDatasetResource, newTagManager, retainedOnDelete } from '../private/resource';
import { throwIfInvalid } from '../private/validation';

/******************************************************************************
 *                                 Constants
 *****************************************************************************/

/** arn:<partition>:personalize:<region>:<account>:event-tracker/<id> */
const EVENT_TRACKER_ARN = /^arn:[\w-]+:personalize:[\w-]+:\d{12}:event-tracker\/[a-zA-Z0-9][a-zA-Z0-9\-_]*$/;
/** Where grantPutEvents hands a Lambda function the tracking id, unless told otherwise. */
const DEFAULT_TRACKING_ID_VARIABLE = 'PERSONALIZE_TRACKING_ID';
/** The event trackers of each app by their group's ARN, for the one-per-group check. */
const TRACKERS = new AppRegistry<EventTracker>();
const STAR_REASON = (action: string) => `personalize:${action} has no resource type in the Service Authorization Reference: ` +
  'IAM can only allow it on "*". Which dataset group the events go to is decided by the tracking id the caller sends.';

/******************************************************************************
 *                                 Interface
 *****************************************************************************/

/** An Amazon Personalize event tracker, made by this library or imported. */
export interface IEventTracker extends IResource {
  /**
   * The ARN of the event tracker.
   * @attribute
   */
  readonly eventTrackerArn: string;

  /**
   * The tracking id that PutEvents takes: where the events go.
   * @attribute
   */
  readonly trackingId: string;

  /** Grants the given actions on this event tracker. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /** Grants reading this event tracker's description and tags. */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants sending events through this tracker (personalize:PutEvents), and hands a Lambda function
   * the tracking id in an environment variable.
   */
  grantPutEvents(grantee: iam.IGrantable, options?: GrantPutEventsOptions): iam.Grant;

  /** Grants sending action interactions through this tracker (personalize:PutActionInteractions). */
  grantPutActionInteractions(grantee: iam.IGrantable, options?: GrantPutEventsOptions): iam.Grant;
}

/** Options of {@link IEventTracker.grantPutEvents}. */
export interface GrantPutEventsOptions {
  /**
   * The environment variable that gives a Lambda function grantee the tracking id.
   * @default PERSONALIZE_TRACKING_ID
   */
  readonly trackingIdVariable?: string;
}

/******************************************************************************
 *                                 Base class
 *****************************************************************************/

abstract class EventTrackerBase extends Resource implements IEventTracker {
  public abstract readonly eventTrackerArn: string;
  public abstract readonly trackingId: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.eventTrackerArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...EVENT_TRACKER_READ_ACTIONS);
  }

  /**
   * Grants sending events through this tracker: `personalize:PutEvents`. The Service Authorization
   * Reference gives PutEvents no resource type, so IAM can only honour it on "*" (which group the
   * events reach is decided by the tracking id the caller sends); the cdk-nag finding this raises
   * is acknowledged on the grantee's policy, with that reason, and only that one. A Lambda function
   * is also given the tracking id, in the environment variable `options.trackingIdVariable`.
   */
  public grantPutEvents(grantee: iam.IGrantable, options: GrantPutEventsOptions = {}): iam.Grant {
    return this.grantOnAnyResource(grantee, PUT_EVENTS_ACTIONS, 'PutEvents', options);
  }

  /**
   * Grants sending action interactions through this tracker: `personalize:PutActionInteractions`,
   * which, like PutEvents, IAM can only honour on "*". A Lambda function is given the tracking id.
   */
  public grantPutActionInteractions(grantee: iam.IGrantable, options: GrantPutEventsOptions = {}): iam.Grant {
    return this.grantOnAnyResource(grantee, PUT_ACTION_INTERACTIONS_ACTIONS, 'PutActionInteractions', options);
  }

  private grantOnAnyResource(grantee: iam.IGrantable, actions: string[], action: string, options: GrantPutEventsOptions): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: ['*'] });
    const policy = grantPolicyOf(grantee);
    if (policy) acknowledge(policy, ['Resource::*'], STAR_REASON(action));
    if (grantee instanceof lambda.Function) handTrackingId(this, grantee, options.trackingIdVariable ?? DEFAULT_TRACKING_ID_VARIABLE);
    return grant;
  }
}

/******************************************************************************
 *                                 Props
 *****************************************************************************/

/** Options of an event tracker added to a group with {@link DatasetGroup.addEventTracker}. */
export interface EventTrackerOptions {
  /**
   * The name of the event tracker: a letter or digit, then letters, digits, hyphens and
   * underscores, 1 to 63 characters. A group holds one tracker, so a new name cannot be given to
   * a tracker in place: remove the tracker in one deployment and add it in the next.
   * @default - a unique name is generated at deploy time from the stack name and construct id
   */
  readonly eventTrackerName?: string;

  /**
   * What happens to the tracker when it leaves the stack. The tracker holds no data of its own,
   * but its tracking id is what applications send events with. A retained tracker in a destroyed
   * group is an error at synth time: Personalize cannot delete a group that still holds a tracker.
   * @default - the group's removal policy for a group defined in this app, otherwise RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a deployment waits for the tracker to become ACTIVE, or to be gone after deletion,
   * before it fails. At most 55 minutes.
   * @default Duration.minutes(30)
   */
  readonly waitTimeout?: Duration;
}

/** Properties of an {@link EventTracker}. */
export interface EventTrackerProps extends EventTrackerOptions {
  /** The dataset group the events go to. It holds at most one event tracker. */
  readonly datasetGroup: IDatasetGroup;
}

/******************************************************************************
 *                                 Attributes
 *****************************************************************************/

/** Attributes of an existing event tracker, for {@link EventTracker.fromEventTrackerAttributes}. */
export interface EventTrackerAttributes {
  /** The ARN of the event tracker. */
  readonly eventTrackerArn: string;

  /** The tracking id of the event tracker (DescribeEventTracker shows it). */
  readonly trackingId: string;
}

/******************************************************************************
 *                                 Class
 *****************************************************************************/

/**
 * An Amazon Personalize event tracker: applications send live interactions to its dataset group
 * with PutEvents and its tracking id. Created in its group once the group is ACTIVE, and waited for
 * until ACTIVE; its tracking id is read then. Tags are updated in place; a new group replaces the
 * tracker. A group holds one tracker, and deletes it before itself.
 *
 * @example
 * declare const group: DatasetGroup;
 * declare const ingest: lambda.Function;
 * const tracker = group.addEventTracker('Tracker');
 * tracker.grantPutEvents(ingest); // and hands it the tracking id in PERSONALIZE_TRACKING_ID
 *
 * @resource Custom::PersonalizeEventTracker
 */
export class EventTracker extends EventTrackerBase implements ITaggableV2 {
  /** Imports an event tracker from its ARN and tracking id. */
  public static fromEventTrackerAttributes(scope: Construct, id: string, attrs: EventTrackerAttributes): IEventTracker {
    if (!Token.isUnresolved(attrs.eventTrackerArn) && !EVENT_TRACKER_ARN.test(attrs.eventTrackerArn)) {
      throwIfInvalid(scope, [`eventTrackerArn "${attrs.eventTrackerArn}" is not a Personalize event tracker ARN ` +
        '(arn:<partition>:personalize:<region>:<account>:event-tracker/<id>)']);
    }
    class Import extends EventTrackerBase {
      public readonly eventTrackerArn = attrs.eventTrackerArn;
      public readonly trackingId = attrs.trackingId;
    }
    return new Import(scope, id, { environmentFromArn: attrs.eventTrackerArn });
  }

  public readonly eventTrackerArn: string;
  /**
   * The name of the event tracker.
   * @attribute
   */
  public readonly eventTrackerName: string;
  public readonly trackingId: string;
  /** The dataset group the events go to. */
  public readonly datasetGroup: IDatasetGroup;
  /** The removal policy of the tracker. */
  public readonly removalPolicy: RemovalPolicy;
  public readonly cdkTagManager: TagManager;

  /**
   * @param scope the scope in which to define this construct
   * @param id the scoped construct id, unique within the scope
   * @param props the construct's properties
   */
  constructor(scope: Construct, id: string, props: EventTrackerProps) {
    super(scope, id);
    throwIfInvalid(this, validatePersonalizeName(props.eventTrackerName, 'eventTrackerName'));
    this.datasetGroup = props.datasetGroup;
    this.removalPolicy = props.removalPolicy ?? props.datasetGroup.removalPolicy ?? RemovalPolicy.RETAIN;
    this.cdkTagManager = newTagManager('EventTracker');

    const provider = personalizeProvider(this, 'event-tracker', EVENT_TRACKER_HANDLER_ACTIONS);
    // CreateEventTracker is authorized against the new tracker and its dataset group (whose ARN the
    // provider itself makes, so the grant names the resource type).
    personalizeProvider(this, 'dataset-group', DATASET_GROUP_OF_EVENT_TRACKER_ACTIONS);
    provider._grantOnAnyResource(EVENT_TRACKER_LIST_ACTIONS, 'personalize:ListEventTrackers has no resource type in the Service ' +
      'Authorization Reference (IAM allows it on "*" only); the handler lists a group\'s trackers to find its own after a retried create.');

    // The group's ARN is a reference: the tracker is created once the group is ACTIVE, and deleted
    // before it (Personalize refuses to delete a group that still has a tracker).
    const { resource, attributes } = addDatasetResource(this, {
      resource: 'EventTracker',
      properties: { Name: props.eventTrackerName, DatasetGroupArn: props.datasetGroup.datasetGroupArn },
      removalPolicy: this.removalPolicy,
      tags: { manager: this.cdkTagManager, rules: PERSONALIZE_TAG_RULES },
      waitTimeout: props.waitTimeout,
    });
    this.eventTrackerArn = resource.ref;
    this.eventTrackerName = props.eventTrackerName ?? resource.getAttString(attributes.EventTrackerName);
    this.trackingId = resource.getAttString(attributes.TrackingId);

    TRACKERS.register(this, props.datasetGroup.datasetGroupArn);
    // Both checks need the whole app (other trackers; removal policies that aspects may change).
    this.node.addValidation({ validate: () => [...this.onePerGroup(), ...this.deletableWithGroup()] });
  }

  /** A dataset group holds at most one event tracker (the service refuses a second one). */
  private onePerGroup(): string[] {
    // The trackers made for the group first; the tree is searched (for its order) only on a clash.
    if (TRACKERS.withKey(this, this.datasetGroup.datasetGroupArn).length < 2) return [];
    const same = this.node.root.node.findAll().filter((c): c is EventTracker => c instanceof EventTracker
      && c.datasetGroup.datasetGroupArn === this.datasetGroup.datasetGroupArn);
    if (same.length < 2 || same[0] === this) return [];
    return [`datasetGroup: dataset group ${this.datasetGroup.node.path} already has an event tracker, ${same[0].node.path}, and ` +
      `this is another one (${this.node.path}); a dataset group holds at most one event tracker`];
  }

  /** A retained tracker keeps its group from being deleted. */
  private deletableWithGroup(): string[] {
    if (!retainedOnDelete(this) || retainedOnDelete(this.datasetGroup) !== false) return [];
    return [`removalPolicy: this event tracker is retained but its dataset group ${this.datasetGroup.node.path} is destroyed; ` +
      'Personalize cannot delete a dataset group that still holds an event tracker, so deleting the group would fail. ' +
      'Destroy the tracker with its group (omit removalPolicy to take the group\'s), or retain the group'];
  }
}

/** The policy construct a grant to `grantee` lands in (a role's, user's or group's default policy). */
function grantPolicyOf(grantee: iam.IGrantable): IConstruct | undefined {
  const principal = grantee.grantPrincipal as unknown;
  if (!(principal instanceof Construct)) return undefined;
  return principal.node.tryFindChild('DefaultPolicy') ?? principal;
}

/** The trackers whose ids each function was handed, by variable. */
const handedIds = new WeakMap<lambda.Function, Map<string, IEventTracker>>();

/** Gives the function the tracking id; a variable that holds another tracker's id already is an error. */
function handTrackingId(tracker: IEventTracker, fn: lambda.Function, variable: string): void {
  const handed = handedIds.get(fn) ?? new Map<string, IEventTracker>();
  handedIds.set(fn, handed);
  const holder = handed.get(variable);
  if (holder && holder !== tracker) {
    throwIfInvalid(fn, [`the environment variable ${variable} holds the tracking id of ${holder.node.path} already; ` +
      `give the grant of ${tracker.node.path} another trackingIdVariable`]);
  }
  handed.set(variable, tracker);
  fn.addEnvironment(variable, tracker.trackingId);
}
