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
 *           tracker beside the old one: that is refused before any change.
 *   Delete  DeleteEventTracker, then wait until it is gone (the group's own deletion, which follows,
 *           is refused while a tracker is left).
 */
import {
  CreateEventTrackerCommand, DeleteEventTrackerCommand, DescribeEventTrackerCommand, ListEventTrackersCommand,
} from '@aws-sdk/client-personalize';
import { isPersonalizeArn, lifecycleState, nameFromArn, personalize, personalizeTagging, toPersonalizeTags, classifyPersonalizeError } from './common';
import type { ResourceAdapter } from '../core/adapter';
import { LifecycleError } from '../core/errors';

export const eventTrackerAdapter: ResourceAdapter<'EventTracker'> = {
  resource: 'EventTracker',
  description: 'Personalize event tracker',
  isPhysicalId: (id) => isPersonalizeArn('event-tracker', id),
  attributesOf: (eventTrackerArn) => ({ EventTrackerArn: eventTrackerArn }),
  classifyError: classifyPersonalizeError,

  replacedBy({ context, physicalId, oldProperties, properties, changed }) {
    if (changed.length === 0) return [];
    if (oldProperties.DatasetGroupArn === properties.DatasetGroupArn) {
      throw new LifecycleError(`Cannot change ${changed.join(', ')} of Personalize event tracker ${physicalId} ` +
        `(${context.logicalResourceId}): Personalize cannot change it in place, and a dataset group holds one event tracker, so ` +
        'the replacement cannot be created in the same group while this one exists. Nothing was changed. Keep the tracker ' +
        'as it is, or remove it in one deployment and add it again in the next (its tracking id changes).');
    }
    return changed;
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
    tagging: personalizeTagging,
    // Tracker ARNs are the service's to make: the holder of a taken name is found in its group.
    adoption: {
      async findExisting({ properties, name }) {
        let nextToken: string | undefined;
        do {
          const page = await personalize().send(new ListEventTrackersCommand({ datasetGroupArn: properties.DatasetGroupArn, nextToken }));
          const found = (page.eventTrackers ?? []).find((t) => t.name === name);
          if (found?.eventTrackerArn) return { physicalId: found.eventTrackerArn };
          nextToken = page.nextToken;
        } while (nextToken);
        return undefined;
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
