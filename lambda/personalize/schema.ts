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
import { CreateSchemaCommand, DeleteSchemaCommand, DescribeSchemaCommand, Domain } from '@aws-sdk/client-personalize';
import { personalize } from './client';
import { generateName, isPersonalizeArn, nameFromArn, personalizeArn } from './common';
import { classifyError, describeError } from '../core/errors';
import { canonical } from '../core/lifecycle';
import { ResourceAdapter } from '../core/types';

export const schemaAdapter: ResourceAdapter = {
  resourceType: 'Custom::PersonalizeSchema',
  readyOnCreate: true, // CreateSchema is synchronous
  description: 'Personalize schema',
  nameProperty: 'Name',
  generateName,
  replaceOnChange: ['Name', 'Schema', 'Domain'],
  // Nothing about a schema can change in place.
  replacedBy: ({ changed }) => changed,
  isPhysicalId: (id) => isPersonalizeArn('schema', id),

  async create({ context, properties, name }) {
    try {
      const response = await personalize().send(new CreateSchemaCommand({
        name,
        schema: properties.Schema,
        domain: properties.Domain as Domain | undefined,
      }));
      return response.schemaArn!;
    } catch (error) {
      if (classifyError(error) !== 'already-exists') throw error;
      // Schemas carry no ownership tag. A generated name is unique to this request, so a schema
      // under it with the same content is this request's own, from an attempt whose response was lost.
      const schemaArn = personalizeArn(context, 'schema', name);
      if (name === generateName(context) && await hasContent(schemaArn, properties.Schema, properties.Domain)) return schemaArn;
      throw withMessage(error, `${describeError(error)}. A schema with this name exists; schemas cannot be tagged, so it cannot be ` +
        'shown to be this stack resource\'s own, and it is left untouched');
    }
  },

  async describe(schemaArn) {
    try {
      const { schema } = await personalize().send(new DescribeSchemaCommand({ schemaArn }));
      return {
        state: 'ready',
        status: 'ACTIVE',
        attributes: { SchemaArn: schemaArn, SchemaName: schema?.name ?? nameFromArn(schemaArn) },
      };
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  },

  async currentProperties(schemaArn, requested) {
    const { schema } = await personalize().send(new DescribeSchemaCommand({ schemaArn }));
    return {
      Name: schema?.name,
      // The same document in other spacing or key order is the same schema.
      Schema: sameJson(schema?.schema, requested.Schema) ? requested.Schema : schema?.schema,
      Domain: schema?.domain,
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

  attributesOf: (schemaArn) => ({ SchemaArn: schemaArn, SchemaName: nameFromArn(schemaArn) }),

  // Schemas cannot be tagged: there is nothing to list or change.
  async listTags() {
    return {};
  },
  async tagResource(schemaArn) {
    throw new Error(`Personalize schemas cannot be tagged (${schemaArn})`);
  },
  async untagResource(schemaArn) {
    throw new Error(`Personalize schemas cannot be tagged (${schemaArn})`);
  },
};

/** Whether the schema holds the given Avro document (compared as JSON values) and domain. */
export async function hasContent(schemaArn: string, schemaJson: string, domain?: string): Promise<boolean> {
  const { schema } = await personalize().send(new DescribeSchemaCommand({ schemaArn }));
  return sameJson(schema?.schema, schemaJson) && (schema?.domain ?? undefined) === (domain ?? undefined);
}

/** Whether two JSON texts hold the same value, whatever their spacing and key order. */
export function sameJson(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return canonical(JSON.parse(a)) === canonical(JSON.parse(b));
  } catch {
    return a === b;
  }
}

/** The same service error (name, metadata) with a message written for the user. */
function withMessage(error: unknown, message: string): Error {
  const copy = Object.assign(new Error(message), error as object);
  copy.message = message;
  copy.name = (error as Error).name;
  return copy;
}
