/**
 * The scenario suite's stacks and a rehearsal for the tests of one file: the stacks synthesized into
 * a temporary folder and the rehearsal started (with the suite's S3 objects) before the tests; the
 * rehearsal closed and the folder removed after them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rehearsal, S3_OBJECTS, ScenarioStacks } from '../../rehearsal/scenarios';

/** What the setup has to hand once the stacks are synthesized and the rehearsal runs. */
export interface StartedRehearsal {
  /** The temporary folder the stacks were synthesized into (removed after the tests). */
  readonly dir: string;
  readonly stacks: ScenarioStacks;
  readonly rehearsal: Rehearsal;
}

/**
 * @param prefix the temporary folder's name begins with it
 * @param timeout how long synthesis and start may take, in ms
 * @param beforeClose runs after the tests, before the rehearsal is closed (if it started)
 */
export function useRehearsal(prefix: string, timeout: number, setup: (started: StartedRehearsal) => void,
  beforeClose: (rehearsal: Rehearsal) => void = () => undefined): void {
  let dir: string | undefined;
  let rehearsal: Rehearsal | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const stacks = ScenarioStacks.synth(dir);
    rehearsal = await Rehearsal.start({ s3: S3_OBJECTS });
    setup({ dir, stacks, rehearsal });
  }, timeout);

  afterAll(async () => {
    if (rehearsal) {
      beforeClose(rehearsal);
      await rehearsal.close();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
}
