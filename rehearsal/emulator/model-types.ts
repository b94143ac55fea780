/**
 * What the SDK's static schemas do not carry, read from the client's own TypeScript declarations
 * (dist-types) with the TypeScript compiler's parser:
 *
 *  - which members take which enum: each modeled structure is an interface (errors: a class, unions:
 *    a namespace of `XMember` interfaces) whose members are typed with the exported enum objects
 *    (`status: DatasetStatus | undefined`, `ChecksumAlgorithm?: ChecksumAlgorithm[]`), and
 *    enums.d.ts declares each enum's values (`export declare const DatasetStatus: { readonly ACTIVE: "ACTIVE"; ... }`);
 *  - which errors each operation declares: the `@throws {@link X}` tags of its command class.
 *
 * Parsing the declarations costs about a second per client, so the result is cached on disk
 * (node_modules/.cache/cdk-datasets-emulator), keyed by the client's version and its declaration
 * files' sizes and times: one parse per installed client version, not one per test file.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as TS from 'typescript';

/** How a member uses an enum: the value itself, each list element, or each map key and/or value. */
export interface EnumUse {
  /** The enum's values when the member (or each list element) is the enum. */
  readonly values?: readonly string[];
  /** Map members: the enum of the keys. */
  readonly keys?: readonly string[];
  /** The enum's name, for messages. */
  readonly name: string;
}

export interface ClientTypes {
  /** Shape name > member name > the enum it takes. Only members typed with an enum appear. */
  readonly enums: Readonly<Record<string, Readonly<Record<string, EnumUse>>>>;
  /** Every structure, union and error shape that has a declaration (`_Object` is listed as `Object`). */
  readonly shapes: readonly string[];
  /** Operation > the error shapes its command documents with `@throws`. */
  readonly errors: Readonly<Record<string, readonly string[]>>;
}

const CACHE_FORMAT = 2;
const loaded = new Map<string, ClientTypes>();

/** The declarations of an installed client (e.g. `@aws-sdk/client-personalize`), parsed once. */
export function clientTypes(pkg: string): ClientTypes {
  const known = loaded.get(pkg);
  if (known) return known;
  const root = path.dirname(require.resolve(`${pkg}/package.json`));
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
  const modelsDir = path.join(root, 'dist-types', 'models');
  const commandsDir = path.join(root, 'dist-types', 'commands');
  const files = [
    ...fs.readdirSync(modelsDir).filter((f) => f.endsWith('.d.ts')).map((f) => path.join(modelsDir, f)),
    ...fs.readdirSync(commandsDir).filter((f) => f.endsWith('Command.d.ts')).map((f) => path.join(commandsDir, f)),
  ].sort();
  const stamp = files.map((f) => {
    const stat = fs.statSync(f);
    return `${path.basename(f)}:${stat.size}:${stat.mtimeMs}`;
  }).join('|');
  const cacheFile = path.join(root, '..', '..', '.cache', 'cdk-datasets-emulator', `${pkg.replace(/[@/]/g, '_')}@${version}.json`);
  let types = readCache(cacheFile, stamp);
  if (!types) {
    types = parse(files);
    writeCache(cacheFile, stamp, types);
  }
  loaded.set(pkg, types);
  return types;
}

function readCache(file: string, stamp: string): ClientTypes | undefined {
  try {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8'));
    return cached.format === CACHE_FORMAT && cached.stamp === stamp ? cached.types : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, stamp: string, types: ClientTypes): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify({ format: CACHE_FORMAT, stamp, types }));
    fs.renameSync(temp, file); // atomic: parallel test workers never read half a file
  } catch {
    // A read-only node_modules: parse again next time.
  }
}

function parse(files: string[]): ClientTypes {
  // The compiler is loaded only when a cache is missing or stale.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof TS;
  const sources = files.map((f) => ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true));

  // enums.d.ts (and any other file): export declare const X: { readonly K: "v"; ... }
  const enumValues = new Map<string, string[]>();
  for (const source of sources) {
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const decl of statement.declarationList.declarations) {
        if (!ts.isIdentifier(decl.name) || !decl.type || !ts.isTypeLiteralNode(decl.type)) continue;
        const values = decl.type.members.map((m) => (ts.isPropertySignature(m) && m.type && ts.isLiteralTypeNode(m.type)
          && ts.isStringLiteral(m.type.literal) ? m.type.literal.text : undefined));
        if (values.length > 0 && values.every((v) => v !== undefined)) enumValues.set(decl.name.text, values as string[]);
      }
    }
  }

  const enums: Record<string, Record<string, EnumUse>> = {};
  const shapes = new Set<string>();
  const errors: Record<string, string[]> = {};

  /** The enum a member's declared type names: `E`, `E | undefined`, `E[]`, `Record<K, V>`, `Partial<Record<K, V>>`. */
  const enumOf = (type: TS.TypeNode | undefined): EnumUse | undefined => {
    if (!type) return undefined;
    if (ts.isUnionTypeNode(type)) {
      const uses = type.types.map(enumOf).filter((u): u is EnumUse => u !== undefined);
      return uses[0];
    }
    if (ts.isParenthesizedTypeNode(type)) return enumOf(type.type);
    if (ts.isArrayTypeNode(type)) return enumOf(type.elementType);
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
      const name = type.typeName.text;
      const args = type.typeArguments ?? [];
      if (name === 'Partial' && args.length === 1) return enumOf(args[0]);
      if (name === 'Record' && args.length === 2) {
        const key = enumOf(args[0]);
        const value = enumOf(args[1]);
        if (!key && !value) return undefined;
        return { name: [key?.name, value?.name].filter(Boolean).join(' > '), keys: key?.values, values: value?.values };
      }
      const values = enumValues.get(name);
      return values ? { name, values } : undefined;
    }
    return undefined;
  };

  const addMembers = (shape: string, members: readonly TS.Node[]) => {
    const name = shape.startsWith('_') ? shape.substring(1) : shape; // `_Object` declares the shape `Object`
    shapes.add(name);
    for (const member of members) {
      if (!(ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) || !ts.isIdentifier(member.name)) continue;
      if (member.type?.kind === ts.SyntaxKind.NeverKeyword) continue; // the other members of a union's variant
      const use = enumOf(member.type);
      if (use) (enums[name] ??= {})[member.name.text] = use;
    }
  };

  for (const source of sources) {
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement)) {
        addMembers(statement.name.text, statement.members);
      } else if (ts.isClassDeclaration(statement) && statement.name) {
        const name = statement.name.text;
        const command = /^(\w+)Command$/.exec(name);
        if (command) {
          // `@throws {@link X} (client fault)` parses as a `throws` tag followed by a `link` tag naming X.
          const tags = ts.getJSDocTags(statement);
          errors[command[1]] = tags.flatMap((tag, i) => {
            if (tag.tagName.text !== 'throws') return [];
            const link = tags[i + 1];
            const named = link?.tagName.text === 'link' ? /^\s*(\w+)/.exec(ts.getTextOfJSDocComment(link.comment) ?? '')?.[1] : undefined;
            return named && !named.endsWith('ServiceException') ? [named] : [];
          });
        } else {
          addMembers(name, statement.members);
        }
      } else if (ts.isModuleDeclaration(statement) && statement.body && ts.isModuleBlock(statement.body)) {
        // A union: namespace X { interface AMember { a: A; b?: never; $unknown?: never } ... }
        const members = statement.body.statements.filter(ts.isInterfaceDeclaration)
          .filter((i) => i.name.text !== '$UnknownMember').flatMap((i) => [...i.members]);
        addMembers(statement.name.text, members);
      }
    }
  }
  return { enums, shapes: [...shapes].sort(), errors };
}
