import { CustomResource, Duration, Lazy, RemovalPolicy, TagManager, TagType } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatasetsProvider, HandlerService } from './provider';
import { TagRules, throwIfInvalid, validateTags, validateTimeout } from './validation';

/** How long a resource waits for ACTIVE (or for its deletion) unless its construct says otherwise. */
export const DEFAULT_WAIT_TIMEOUT = Duration.minutes(30);

export interface DatasetResourceOptions {
  readonly service: HandlerService;
  /** The custom resource type the handler dispatches on, e.g. `Custom::PersonalizeDatasetGroup`. */
  readonly resourceType: string;
  /** Resource properties, as the handler reads them. */
  readonly properties: Record<string, unknown>;
  readonly removalPolicy: RemovalPolicy;
  readonly tags: TagManager;
  readonly tagRules: TagRules;
  readonly waitTimeout?: Duration;
}

/**
 * The one way every construct of the library adds its custom resource: through the stack's
 * shared provider for the service, with the construct's tags and wait bound.
 */
export function addDatasetResource(scope: Construct, options: DatasetResourceOptions): CustomResource {
  throwIfInvalid(scope, validateTimeout(options.waitTimeout));
  const provider = DatasetsProvider.of(scope, options.service);
  const resource = new CustomResource(scope, 'Resource', {
    serviceToken: provider.serviceToken,
    resourceType: options.resourceType,
    properties: {
      ...options.properties,
      Tags: Lazy.any({ produce: () => options.tags.renderTags() }, { omitEmptyArray: true }),
      WaitTimeoutSeconds: (options.waitTimeout ?? DEFAULT_WAIT_TIMEOUT).toSeconds(),
    },
    removalPolicy: options.removalPolicy,
  });
  // Tags arrive through Aspects, so they can only be checked once synthesis has applied them.
  scope.node.addValidation({
    validate: () => validateTags(renderedTags(options.tags), options.tagRules),
  });
  return resource;
}

export function newTagManager(resourceType: string): TagManager {
  return new TagManager(TagType.KEY_VALUE, resourceType);
}

function renderedTags(tags: TagManager): Array<{ key: string; value: string }> {
  const rendered: Array<{ Key: string; Value: string }> = tags.renderTags() ?? [];
  return rendered.map((t) => ({ key: t.Key, value: t.Value }));
}
