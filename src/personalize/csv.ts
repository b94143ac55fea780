/**
 * The synth-time check of a local CSV file's header row against a dataset's schema, as the
 * Personalize developer guide's data format guidelines state it: "The first row of your CSV file
 * must contain your column headers. Don't enclose headers in quotation marks", and the columns must
 * map to the schema's fields (the required ones among them).
 */
import * as fs from 'fs';
import type { ISchema } from './schema';

/** A schema field as the header check sees it. */
export interface CsvField {
  readonly name: string;
  /** Whether the field can be empty, so its column can be left out. */
  readonly optional: boolean;
}

/** A header cell and where it starts (1-based line and column). */
interface HeaderCell {
  readonly name: string;
  readonly line: number;
  readonly column: number;
  readonly quoted: boolean;
}

interface ParsedHeader {
  readonly cells: HeaderCell[];
  /** Where the header row ends (just after its last character). */
  readonly endLine: number;
  readonly endColumn: number;
  readonly errors: string[];
}

/** A header row longer than this is not read further (it would not be a header). */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * The fields of a schema defined in this app, read from the Avro document it gives Personalize.
 * Undefined when they are not known at synth time: an imported schema, or a document with tokens.
 */
export function schemaFieldsOf(schema: ISchema): CsvField[] | undefined {
  return schema.fields?.map((f) => ({ name: f.name, optional: f.optional }));
}

/**
 * Checks the header row of a local CSV file against the schema's fields: every header must be a
 * field of the schema (once, without quotation marks), and every required field must have a
 * column. Messages give the file, the 1-based line and column, and the header or field.
 *
 * @param file the CSV file
 * @param fields the schema's fields
 * @param schemaName how messages name the schema, e.g. its construct path
 */
export function checkCsvHeader(file: string, fields: readonly CsvField[], schemaName: string): string[] {
  const header = parseHeader(readHead(file));
  const at = (line: number, column: number) => `source file ${file}, line ${line}, column ${column}`;
  if (header.errors.length > 0) return header.errors.map((e) => `source file ${file}, ${e}`);
  if (header.cells.length === 1 && header.cells[0].name === '' && !header.cells[0].quoted) {
    return [`${at(1, 1)}: the first row is empty; Personalize reads the column names from the first row of the file (its header row)`];
  }

  const errors: string[] = [];
  const byName = new Map(fields.map((f) => [f.name, f]));
  const fieldList = fields.map((f) => f.name).join(', ');
  const seen = new Map<string, HeaderCell>();
  header.cells.forEach((cell, i) => {
    const where = `${at(cell.line, cell.column)} (header ${i + 1})`;
    if (cell.quoted) {
      errors.push(`${where}: header "${cell.name}" is enclosed in quotation marks; Personalize takes the column names ` +
        'without them (data format guidelines: "Don\'t enclose headers in quotation marks")');
    }
    if (cell.name === '') {
      errors.push(`${where}: the header is empty; each column needs the name of a field of schema ${schemaName}`);
      return;
    }
    const first = seen.get(cell.name);
    if (first) {
      errors.push(`${where}: header "${cell.name}" appears again (first at column ${first.column}); each field has one column`);
      return;
    }
    seen.set(cell.name, cell);
    if (!byName.has(cell.name)) {
      errors.push(`${where}: header "${cell.name}" is not a field of schema ${schemaName} (its fields: ${fieldList})${hint(cell.name, fields)}`);
    }
  });
  for (const field of fields) {
    if (!field.optional && !seen.has(field.name)) {
      errors.push(`${at(header.endLine, header.endColumn)} (end of the header row): required field ${field.name} of schema ` +
        `${schemaName} has no column; only optional fields (a union with "null") can be left out`);
    }
  }
  return errors;
}

/** A likely intended field, for a header that is not one. */
function hint(name: string, fields: readonly CsvField[]): string {
  const trimmed = name.trim();
  if (trimmed !== name && fields.some((f) => f.name === trimmed)) return `; remove the spaces around "${trimmed}"`;
  const sameCase = fields.find((f) => f.name.toUpperCase() === trimmed.toUpperCase());
  return sameCase ? `; did you mean ${sameCase.name}? (names must match exactly)` : '';
}

/** The start of the file: enough for its header row. */
function readHead(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(fs.fstatSync(fd).size, MAX_HEADER_BYTES));
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads the first record of a CSV text (RFC 4180: fields separated by commas, quoted fields with
 * `""` for a quotation mark and line breaks allowed inside them), with where each cell starts.
 */
function parseHeader(text: string): ParsedHeader {
  const cells: HeaderCell[] = [];
  let line = 1;
  let column = 1;
  let i = 0;
  const atEnd = () => i >= text.length || text[i] === '\n' || text[i] === '\r';

  for (;;) {
    const start = { line, column };
    let name = '';
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      column++;
      for (;;) {
        if (i >= text.length) {
          return { cells, endLine: line, endColumn: column, errors: [`line ${start.line}, column ${start.column}: the quotation mark that opens header ${cells.length + 1} is never closed`] };
        }
        const c = text[i];
        if (c === '"' && text[i + 1] === '"') {
          name += '"';
          i += 2;
          column += 2;
        } else if (c === '"') {
          i++;
          column++;
          break;
        } else if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
          name += c;
          i++;
          line++;
          column = 1;
        } else {
          name += c;
          i++;
          column++;
        }
      }
      if (!atEnd() && text[i] !== ',') {
        return { cells, endLine: line, endColumn: column, errors: [`line ${line}, column ${column}: a quoted header must be followed by a comma or the end of the row, not "${text[i]}"`] };
      }
    } else {
      while (!atEnd() && text[i] !== ',') {
        if (text[i] === '"') {
          return { cells, endLine: line, endColumn: column, errors: [`line ${line}, column ${column}: a quotation mark inside header ${cells.length + 1}; quote the whole header or none of it`] };
        }
        name += text[i];
        i++;
        column++;
      }
    }
    cells.push({ name, line: start.line, column: start.column, quoted });
    if (atEnd()) return { cells, endLine: line, endColumn: column, errors: [] };
    i++; // the comma
    column++;
  }
}
