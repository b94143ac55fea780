/**
 * Personalize schemas. CreateSchema is synchronous and a schema has no status: it is ready as
 * soon as DescribeSchema finds it. Schemas cannot change, so any change of name, content or domain
 * is a replacement. Schemas cannot be tagged either (CreateSchema takes no tags).
 *
 *   Create  CreateSchema. A name that is taken is this request's own schema only when the name was
 *           generated for this request and the existing schema has the requested content and
 *           domain (a retried create); otherwise the create fails and the existing one is left alone.
 *   Delete  DeleteSchema. A schema that a dataset still uses (ResourceInUseException, e.g. while
 *           that dataset is being deleted) is asked again, with a growing interval, until it is gone
 *           or the wait bound fails the deletion with the service's reason.
 */
import type { Domain } from '@aws-sdk/client-personalize';
import { isPersonalizeArn, nameFromArn, personalize, personalizeArn, classifyPersonalizeError } from './common';
import { CreateSchemaCommand, DeleteSchemaCommand, DescribeSchemaCommand } from './sdk.deferred';
import { PERSONALIZE_NAME_RULE } from '../../src/contract';
import type { ResourceAdapter } from '../core/adapter';
import { classifyError, withMessage } from '../core/errors';
import { sameJson } from '../core/json';
import { generatePhysicalName } from '../core/naming';
import { replacingOrRefuse } from '../core/replacement';
import { RULES } from '../rules';

export const schemaAdapter: ResourceAdapter<'Schema'> = {
  resource: 'Schema',
  description: RULES.Schema.description,
  isPhysicalId: (id) => isPersonalizeArn('schema', id),
  attributesOf: (schemaArn) => ({ SchemaArn: schemaArn, SchemaName: nameFromArn(schemaArn) }),
  classifyError: classifyPersonalizeError,
  // Nothing about a schema can change in place.
  replacedBy: (change) => replacingOrRefuse(RULES.Schema.decide(change)),

  async create({ properties, name }) {
    const response = await personalize().send(new CreateSchemaCommand({
      name,
      schema: properties.Schema,
      domain: properties.Domain as Domain | undefined,
    }));
    return response.schemaArn!;
  },

  async describe(schemaArn) {
    const { schema } = await personalize().send(new DescribeSchemaCommand({ schemaArn }));
    return {
      state: 'ready',
      status: 'ACTIVE',
      attributes: { SchemaArn: schemaArn, SchemaName: schema?.name ?? nameFromArn(schemaArn) },
    };
  },

  async delete(schemaArn) {
    try {
      await personalize().send(new DeleteSchemaCommand({ schemaArn }));
    } catch (error) {
      if (classifyError(error) !== 'in-use') throw error;
      throw withMessage(error, `${(error as Error).message} (the schema is still used by a dataset: it can be deleted once ` +
        'no dataset uses it, and the deletion is retried until then)');
    }
  },

  capabilities: {
    readyOnCreate: true, // CreateSchema is synchronous
    adoption: {
      // Schemas carry no ownership tag. A generated name is unique to this request, so a schema
      // under it with the same content is this request's own, from an attempt whose response was lost.
      async findExisting({ context, properties, name }) {
        if (name !== generatePhysicalName(context, PERSONALIZE_NAME_RULE)) return undefined;
        const schemaArn = personalizeArn(context, 'schema', name);
        return { physicalId: schemaArn, owned: await hasContent(schemaArn, properties.Schema, properties.Domain) };
      },
      refusal: 'A schema with this name exists; schemas cannot be tagged, so it cannot be shown to be this stack ' +
        'resource\'s own, and it is left untouched. Choose another name, or omit the name so that a unique one is generated.',
    },
    currentValues: {
      async read(schemaArn, requested) {
        const { schema } = await personalize().send(new DescribeSchemaCommand({ schemaArn }));
        return {
          Name: schema?.name,
          // The same document in other spacing or key order is the same schema.
          Schema: sameJson(schema?.schema, requested.Schema) ? requested.Schema : schema?.schema,
          Domain: schema?.domain,
        };
      },
    },
  },
};

/** Whether the schema holds the given Avro document (compared as JSON values) and domain. */
export async function hasContent(schemaArn: string, schemaJson: string, domain?: string): Promise<boolean> {
  const { schema } = await personalize().send(new DescribeSchemaCommand({ schemaArn }));
  return sameJson(schema?.schema, schemaJson) && (schema?.domain ?? undefined) === (domain ?? undefined);
}
