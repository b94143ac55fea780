/**
 * The rehearsal's scaled time: from an anchor (a real moment), a clock that runs 1/timeScale as
 * fast as real time. The handlers' containers keep this clock (their copy is in the container
 * bootstrap); the emulator stamps what the services report with it, so both sides agree on "now".
 */
export function scaledClock(timeScale: number, anchorMs: number): () => number {
  return () => anchorMs + (Date.now() - anchorMs) / timeScale;
}
