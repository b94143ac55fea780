/**
 * The package.json that npm packs carries no scripts.
 *
 * The repository's package.json is projen's: every task is an npm script (`projen build`,
 * `projen test`...), and each needs the repository (projen, .projen/tasks.json, the sources) to
 * run. None of them can run from an installed package, so the packed manifest leaves them out.
 *
 * npm runs `prepack` before it packs this directory (`npm pack`, `npm publish`, jsii-pacmak's
 * JavaScript target) and `postpack` after it:
 *   prepack  -> `strip`:   keep package.json aside, write it again without `scripts`
 *   postpack -> `restore`: put the kept package.json back, byte for byte and with its times
 * Both replace package.json by renaming, so a build reading it meanwhile never sees half a file. A pack that failed before `postpack` leaves the copy aside: the next `strip` restores it
 * first, and so does `restore` whenever it is run.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const manifest = path.join(root, 'package.json');
/** Where the repository's package.json waits while npm packs (in .gitignore and .npmignore). */
export const KEPT_MANIFEST = 'package.json.prepack';
const kept = path.join(root, KEPT_MANIFEST);

function replaceFile(file: string, contents: string) {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, contents);
  fs.renameSync(temp, file);
}

export function restore() {
  if (fs.existsSync(kept)) fs.renameSync(kept, manifest);
}

export function strip() {
  restore();
  const original = fs.readFileSync(manifest, 'utf8');
  const { scripts, ...packed } = JSON.parse(original);
  void scripts;
  // The original file itself is kept (a second link to it), so `restore` brings it back as it was,
  // times included: a freshness check comparing package.json with build outputs sees no change.
  fs.linkSync(manifest, kept);
  replaceFile(manifest, `${JSON.stringify(packed, undefined, 2)}\n`);
}

if (require.main === module) {
  const commands: Record<string, () => void> = { strip, restore };
  const command = commands[process.argv[2]];
  if (!command) {
    console.error('usage: packed-manifest.ts strip|restore');
    process.exit(2);
  }
  command();
}
