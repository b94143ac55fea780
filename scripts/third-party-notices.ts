/**
 * The licence notices of the third-party code the handler bundles and the cdk-datasets command contain.
 *
 * The bundles in assets/ are minified with their dependencies (the AWS SDK clients, Smithy, bowser...)
 * and without legal comments, so the package ships the notices beside them instead. Whatever builds
 * bundles asks esbuild for a metafile per build and hands them all to `writeThirdPartyNotices`, which
 * finds every package under node_modules/ that any bundle took code from and writes one file with,
 * for each package, its name, version, licence and the bundles that contain it, then the full texts
 * of the packages' LICENSE / NOTICE / COPYING files. A text shared by several packages (the AWS SDK's
 * Apache-2.0 licence) is printed once, with every package it applies to.
 *
 * The metafiles are also kept (in a build directory that is not shipped), so that a test can check
 * the packed notices against what the bundles were actually made of.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Metafile } from 'esbuild';

/** One esbuild build: a label for what it wrote (e.g. `personalize/index.js`) and its metafile. */
export interface BundleMetafile {
  readonly name: string;
  readonly metafile: Metafile;
}

export interface ThirdPartyNoticesOptions {
  /** The notices file to write, beside the shipped bundles. */
  readonly noticesFile: string;
  /** A directory, not shipped, to keep the metafiles in (one JSON file per build). Replaced whole. */
  readonly metafileDir?: string;
  /**
   * The directory the metafiles' paths are relative to: esbuild's `absWorkingDir`.
   * @default process.cwd()
   */
  readonly workingDir?: string;
}

/** A third-party package some bundle took code from. */
export interface ThirdPartyPackage {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  /** The builds (their names) that contain code of this package. */
  readonly bundles: string[];
  /** The package's licence files, by file name. */
  readonly texts: Array<{ file: string; text: string }>;
}

const LICENSE_FILE = /^(licen[cs]e|notice|copying)([-._].*)?$/i;

/** The package directory of a module path under node_modules/, or undefined for the project's own code. */
function packageDir(input: string): string | undefined {
  const marker = 'node_modules/';
  const at = input.replace(/\\/g, '/').lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = input.slice(at + marker.length).split('/');
  const segments = rest[0].startsWith('@') ? 2 : 1;
  return input.slice(0, at + marker.length) + rest.slice(0, segments).join('/');
}

/** Every third-party package the given builds contain, sorted by name and version. */
export function thirdPartyPackages(bundles: BundleMetafile[], workingDir = process.cwd()): ThirdPartyPackage[] {
  const byDir = new Map<string, Set<string>>();
  for (const { name, metafile } of bundles) {
    for (const input of Object.keys(metafile.inputs)) {
      const dir = packageDir(input);
      if (dir) byDir.set(dir, (byDir.get(dir) ?? new Set()).add(name));
    }
  }
  const packages = new Map<string, Omit<ThirdPartyPackage, 'bundles'> & { bundles: Set<string> }>();
  const missing: string[] = [];
  for (const [dir, names] of byDir) {
    const abs = path.resolve(workingDir, dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(abs, 'package.json'), 'utf8'));
    const key = `${manifest.name}@${manifest.version}`;
    const known = packages.get(key);
    if (known) {
      names.forEach((n) => known.bundles.add(n));
      continue;
    }
    const texts = fs.readdirSync(abs).filter((f) => LICENSE_FILE.test(f) && fs.statSync(path.join(abs, f)).isFile()).sort()
      .map((file) => ({ file, text: fs.readFileSync(path.join(abs, file), 'utf8') }));
    if (texts.length === 0) missing.push(`${key} (${dir})`);
    const license = typeof manifest.license === 'string' ? manifest.license
      : (manifest.licenses ?? []).map((l: { type: string }) => l.type).join(' OR ') || 'UNKNOWN';
    packages.set(key, { name: manifest.name, version: manifest.version, license, bundles: new Set(names), texts });
  }
  if (missing.length > 0) {
    throw new Error(`No LICENSE, NOTICE or COPYING file in these bundled packages; their notices cannot be shipped:\n  ${missing.join('\n  ')}`);
  }
  return [...packages.values()]
    .map((p) => ({ ...p, bundles: [...p.bundles].sort() }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** The notices file's text for these packages. */
export function renderNotices(packages: ThirdPartyPackage[]): string {
  // One entry per distinct text (line endings and surrounding blank space aside).
  const texts: Array<{ text: string; users: string[]; licenses: Set<string>; files: Set<string> }> = [];
  const index = new Map<string, number>();
  const refs = new Map<string, number[]>();
  for (const p of packages) {
    const id = `${p.name}@${p.version}`;
    refs.set(id, p.texts.map(({ file, text }) => {
      const normalized = text.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').trim();
      let n = index.get(normalized);
      if (n === undefined) {
        n = texts.push({ text: normalized, users: [], licenses: new Set(), files: new Set() });
        index.set(normalized, n);
      }
      const entry = texts[n - 1];
      entry.users.push(id);
      entry.licenses.add(p.license);
      entry.files.add(file);
      return n;
    }));
  }
  const rule = '='.repeat(100);
  const lines = [
    'THIRD-PARTY SOFTWARE NOTICES AND LICENCES',
    '',
    'The custom-resource handler bundles and the cdk-datasets command in this directory are built with',
    'esbuild and contain code from the third-party packages below. Each package is listed with its',
    'version, its licence, the bundles that contain it, and the licence texts that apply to it, printed',
    'after the list; a text that several packages share is printed once.',
    '',
    `${packages.length} packages, ${texts.length} licence texts.`,
    '',
  ];
  for (const p of packages) {
    const id = `${p.name}@${p.version}`;
    lines.push(`${id}`);
    lines.push(`  licence: ${p.license}`);
    lines.push(`  bundles: ${p.bundles.join(', ')}`);
    lines.push(`  texts:   ${refs.get(id)!.map((n, i) => `[${n}] ${p.texts[i].file}`).join(', ')}`);
  }
  texts.forEach((t, i) => {
    lines.push('', rule, `[${i + 1}] ${[...t.files].sort().join(' / ')} (${[...t.licenses].sort().join(', ')}), of: ${t.users.join(', ')}`, rule, '', t.text);
  });
  return `${lines.join('\n')}\n`;
}

function replaceFile(file: string, contents: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, contents);
  fs.renameSync(temp, file);
}

/**
 * Writes the notices for what the given builds contain (and keeps their metafiles); returns the
 * packages. Fails when a bundled package has no licence file to ship.
 */
export function writeThirdPartyNotices(bundles: BundleMetafile[], options: ThirdPartyNoticesOptions): ThirdPartyPackage[] {
  const packages = thirdPartyPackages(bundles, options.workingDir);
  replaceFile(options.noticesFile, renderNotices(packages));
  if (options.metafileDir) {
    const staging = `${options.metafileDir}.${process.pid}.tmp`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    for (const { name, metafile } of bundles) {
      fs.writeFileSync(path.join(staging, `${name.replace(/[\\/]/g, '--')}.json`), JSON.stringify({ name, metafile }));
    }
    const previous = `${options.metafileDir}.${process.pid}.old`;
    if (fs.existsSync(options.metafileDir)) fs.renameSync(options.metafileDir, previous);
    fs.renameSync(staging, options.metafileDir);
    fs.rmSync(previous, { recursive: true, force: true });
  }
  return packages;
}
