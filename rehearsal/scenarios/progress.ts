/**
 * The progress lines of a rehearsal (`npm run rehearse`, `cdk-datasets rehearse`): one line per
 * resource event. Free of the example app and the SDK, so that the cdk-datasets command bundles it.
 */
import type { ProgressEvent } from '../driver';

const ID_WIDTH = 40;
const TYPE_WIDTH = 34;

/** One line per resource event: elapsed ms, operation, logical id, type, request type, status (and why, when said). */
export function progressLine(e: ProgressEvent): string {
  const reason = e.reason ? `  (${firstLine(e.reason)})` : '';
  return `${String(e.elapsedMs).padStart(7)} ms  ${e.operation.padEnd(7)}  ${e.logicalId.padEnd(ID_WIDTH)}  ` +
    `${e.resourceType.padEnd(TYPE_WIDTH)}  ${(e.requestType ?? '-').padEnd(6)}  ${e.status}${reason}`;
}

export function firstLine(text: string): string {
  return text.split('\n')[0];
}
