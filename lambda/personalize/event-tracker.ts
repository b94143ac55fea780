/**
 * Personalize event trackers: what PutEvents sends live interactions to a dataset group through.
 * A dataset group holds at most one event tracker.
 *
 *   Create  CreateEventTracker in the group (the template makes it wait until the group is ACTIVE),
 *           then wait for ACTIVE; CREATE FAILED fails the deployment (the service gives no reason for
 *           trackers). The tracking id is read from DescribeEventTracker once ACTIVE. A retried
 *           create whose name is taken adopts the group's tracker of that name only when it carries
 *           this stack resource's ownership tag.
 *   Update  Tags change in place. A new group is a replacement (the new tracker is made in the new
 *           group); a new name in the same group cannot be, since the group cannot hold the new
 *           tracker beside the old one: that is refused before any change, unless the tracker has
 *           the asked name already (CloudFormation rolling that refusal back).
 *   Delete  DeleteEventTracker, then wait until it is gone (the group's own deletion, which follows,
 *           is refused while a tracker is left).
 */
import { isPersonalizeArn, lifecycleState, nameFromArn, personalize, personalizeTagging, toPersonalizeTags, classifyPersonalizeError } from './common';
import { CreateEventTrackerCommand, DeleteEventTrackerCommand, DescribeEventTrackerCommand, ListEventTrackersCommand } from './sdk.deferred';
import type { ResourceAdapter } from '../core/adapter';
import { findInPages } from '../core/paging';
import { replacingOrRefuse } from '../core/replacement';
import { RULES } from '../rules';

/**
 * Whether the tracker already has the asked name: the fixed one asked for, or, when a generated
 * one is asked for, any but the refused fixed one. Unknown (an error) is no.
 */
async function hasAskedName(eventTrackerArn: string, refused: string | undefined, asked: string | undefined): Promise<boolean> {
  try {
    const { eventTracker } = await personalize().send(new DescribeEventTrackerCommand({ eventTrackerArn }));
    const name = eventTracker?.name;
    if (name === undefined) return false;
    return asked !== undefined ? name === asked : name !== refused;
  } catch {
    return false;
  }
}

export const eventTrackerAdapter: ResourceAdapter<'EventTracker'> = {
  resource: 'EventTracker',
  description: RULES.EventTracker.description,
  isPhysicalId: (id) => isPersonalizeArn('event-tracker', id),
  attributesOf: (eventTrackerArn) => ({ EventTrackerArn: eventTrackerArn }),
  classifyError: classifyPersonalizeError,

  async replacedBy(change) {
    const decision = RULES.EventTracker.decide(change);
    // The rollback of a refused rename asks for the name the tracker kept: no change, or the rollback fails too.
    if ('refused' in decision && change.changed.every((key) => key === 'Name')
      && await hasAskedName(change.physicalId, change.oldProperties.Name, change.properties.Name)) return [];
    return replacingOrRefuse(decision);
  },

  async create({ properties, name, tags }) {
    const response = await personalize().send(new CreateEventTrackerCommand({
      name,
      datasetGroupArn: properties.DatasetGroupArn,
      tags: toPersonalizeTags(tags),
    }));
    return response.eventTrackerArn!;
  },

  async describe(eventTrackerArn) {
    const { eventTracker } = await personalize().send(new DescribeEventTrackerCommand({ eventTrackerArn }));
    const status = eventTracker?.status ?? 'UNKNOWN';
    return {
      state: lifecycleState(status),
      status,
      attributes: {
        EventTrackerArn: eventTrackerArn,
        EventTrackerName: eventTracker?.name ?? nameFromArn(eventTrackerArn),
        TrackingId: eventTracker?.trackingId ?? '',
      },
    };
  },

  async delete(eventTrackerArn) {
    await personalize().send(new DeleteEventTrackerCommand({ eventTrackerArn }));
  },

  capabilities: {
    // Nothing but tags changes in place: a change that is not replaced is one the tracker has
    // already (a refused rename rolled back, see replacedBy), so there is nothing to apply.
    update: { apply: async () => ({ done: true }) },
    tagging: personalizeTagging,
    // Tracker ARNs are the service's to make: the holder of a taken name is found in its group.
    adoption: {
      async findExisting({ properties, name }) {
        const found = await findInPages(
          (nextToken) => personalize().send(new ListEventTrackersCommand({ datasetGroupArn: properties.DatasetGroupArn, nextToken })),
          (page) => page.eventTrackers, (t) => t.name === name && Boolean(t.eventTrackerArn));
        return found && { physicalId: found.eventTrackerArn! };
      },
    },
    currentValues: {
      async read(eventTrackerArn) {
        const { eventTracker } = await personalize().send(new DescribeEventTrackerCommand({ eventTrackerArn }));
        return { Name: eventTracker?.name, DatasetGroupArn: eventTracker?.datasetGroupArn };
      },
    },
  },
};
