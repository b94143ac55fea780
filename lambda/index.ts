/**
 * The custom-resource handlers of every cdk-datasets resource type: one onEvent and one isComplete
 * for the stack's one provider, dispatched on the CloudFormation resource type. Each service's
 * code (its adapters and SDK client) is a chunk loaded on first use, so that a stack that only uses
 * Personalize never loads AgentCore's client, and the other way round.
 */
import type { ResourceAdapter } from './core/adapter';
import { AdapterLookup, createHandlers } from './core/lifecycle';
import { RESOURCES, resourceNameOf, ServiceName } from '../src/contract';

type Chunk = { readonly adapters: readonly ResourceAdapter<any>[] };

/* eslint-disable @typescript-eslint/no-require-imports */
const CHUNKS: Record<ServiceName, () => Chunk> = {
  personalize: () => require('./personalize.lazy'),
  agentcore: () => require('./agentcore.lazy'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

const lookup: AdapterLookup = (resourceType) => {
  const name = resourceNameOf(resourceType);
  if (!name) return undefined;
  return CHUNKS[RESOURCES[name].service]().adapters.find((adapter) => adapter.resource === name) as ResourceAdapter | undefined;
};

let handlers = createHandlers(lookup);

export const onEvent: typeof handlers.onEvent = (event, context) => handlers.onEvent(event, context);
export const isComplete: typeof handlers.isComplete = (event, context) => handlers.isComplete(event, context);

/** Forgets what the handlers keep between polls, as a new Lambda container would (tests). */
export function resetHandlers(): void {
  handlers = createHandlers(lookup);
}
