/**
 * S3's wire format (restXml) for responses, driven by the SDK's schema of each operation's output:
 * members bound to headers (httpHeader, httpPrefixHeaders) become headers, a payload member
 * (httpPayload) is the body as it is (bytes) or as its own element, and the other members form
 * the root element (named by the output's xmlName, e.g. ListBucketResult). Element names follow
 * xmlName, lists xmlFlattened, as the SDK's XML deserializer reads them. Errors are S3's
 * `<Error><Code/><Message/>...</Error>`.
 */
import type { Schema, ServiceModel } from './model';

const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export interface EncodedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** An operation's output object (model member names) as S3 sends it. */
export function encodeOutput(model: ServiceModel, operation: string, output: Record<string, unknown>): EncodedResponse {
  const schema = model.output(operation);
  const status = model.http(operation)?.[2] ?? 200;
  const headers: Record<string, string> = {};
  const bodyMembers: Array<[string, Schema]> = [];
  let body: Buffer = Buffer.alloc(0);
  for (const [name, member] of schema.structIterator()) {
    const value = output[name];
    const traits = member.getMergedTraits();
    if (traits.httpHeader !== undefined) {
      if (value !== undefined) headers[String(traits.httpHeader).toLowerCase()] = headerValue(member, value);
    } else if (traits.httpPrefixHeaders !== undefined) {
      for (const [key, v] of Object.entries((value ?? {}) as Record<string, string>)) headers[`${traits.httpPrefixHeaders}${key}`.toLowerCase()] = v;
    } else if (traits.httpPayload) {
      if (value === undefined) continue;
      if (member.isStructSchema()) {
        body = Buffer.from(XML_DECLARATION + element(traits.xmlName ?? member.getName() ?? name, member, value, S3_XMLNS));
        headers['content-type'] ??= 'application/xml';
      } else {
        body = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
      }
    } else if (!traits.httpResponseCode && value !== undefined) {
      bodyMembers.push([name, member]);
    }
  }
  if (bodyMembers.length > 0) {
    const root = schema.getMergedTraits().xmlName ?? schema.getName() ?? operation;
    const children = bodyMembers.map(([name, member]) => memberXml(name, member, output[name])).join('');
    body = Buffer.from(`${XML_DECLARATION}<${root} xmlns="${S3_XMLNS}">${children}</${root}>`);
    headers['content-type'] = 'application/xml';
  }
  return { status, headers, body };
}

/** An S3 error: `<Error><Code>..</Code><Message>..</Message>(extra fields)<RequestId>..</RequestId></Error>`. */
export function encodeError(code: string, message: string, extra: Record<string, unknown>, requestId: string): Buffer {
  const fields = { Code: code, Message: message, ...extra, RequestId: requestId };
  const inner = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `<${k}>${escape(String(v))}</${k}>`).join('');
  return Buffer.from(`${XML_DECLARATION}<Error>${inner}</Error>`);
}

/** One member of a structure: lists flattened or wrapped, maps as entries, the rest one element. */
function memberXml(name: string, member: Schema, value: unknown): string {
  const traits = member.getMergedTraits();
  const tag = traits.xmlName ?? name;
  if (member.isListSchema()) {
    const item = member.getValueSchema();
    const items = (value as unknown[]).filter((v) => v !== null && v !== undefined);
    if (traits.xmlFlattened) return items.map((v) => element(tag, item, v)).join('');
    const itemTag = item.getMergedTraits().xmlName ?? 'member';
    return `<${tag}>${items.map((v) => element(itemTag, item, v)).join('')}</${tag}>`;
  }
  if (member.isMapSchema()) {
    const keyTag = member.getKeySchema().getMergedTraits().xmlName ?? 'key';
    const valueSchema = member.getValueSchema();
    const valueTag = valueSchema.getMergedTraits().xmlName ?? 'value';
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `<${keyTag}>${escape(k)}</${keyTag}>${element(valueTag, valueSchema, v)}`);
    if (traits.xmlFlattened) return entries.map((e) => `<${tag}>${e}</${tag}>`).join('');
    return `<${tag}>${entries.map((e) => `<entry>${e}</entry>`).join('')}</${tag}>`;
  }
  return element(tag, member, value);
}

function element(tag: string, schema: Schema, value: unknown, xmlns?: string): string {
  const ns = xmlns ? ` xmlns="${xmlns}"` : '';
  if (schema.isStructSchema()) {
    const record = value as Record<string, unknown>;
    const attributes: string[] = [];
    const children: string[] = [];
    for (const [name, member] of schema.structIterator()) {
      const v = record[name];
      if (v === undefined || v === null) continue;
      const traits = member.getMergedTraits();
      if (traits.xmlAttribute) attributes.push(` ${traits.xmlName ?? name}="${escape(scalar(member, v))}"`);
      else children.push(memberXml(name, member, v));
    }
    return `<${tag}${ns}${attributes.join('')}>${children.join('')}</${tag}>`;
  }
  return `<${tag}${ns}>${escape(scalar(schema, value))}</${tag}>`;
}

/** A simple value as XML text: timestamps in the body are date-time unless the schema says otherwise. */
function scalar(schema: Schema, value: unknown): string {
  if (schema.isTimestampSchema()) {
    const date = value instanceof Date ? value : new Date(value as number);
    const format = schema.getSchema() as number;
    if (format === 6) return date.toUTCString();
    if (format === 7) return String(date.getTime() / 1000);
    return date.toISOString();
  }
  if (schema.isBlobSchema()) return Buffer.from(value as Uint8Array).toString('base64');
  return String(value);
}

/** A header value: timestamps are HTTP dates unless the schema says otherwise; lists are comma-joined. */
function headerValue(schema: Schema, value: unknown): string {
  if (schema.isTimestampSchema()) {
    const date = value instanceof Date ? value : new Date(value as number);
    const format = schema.getSchema() as number;
    if (format === 5) return date.toISOString();
    if (format === 7) return String(date.getTime() / 1000);
    return date.toUTCString();
  }
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
