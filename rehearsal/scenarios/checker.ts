/**
 * The checker: after a rehearsal, compares what the emulator holds with what the driver(s) believe.
 *
 *   leak             a live resource in the emulator that no driver believes exists and that was
 *                    not retained (by a DeletionPolicy or an UpdateReplacePolicy)
 *   duplicate        two live resources for one stack resource (logical id), retained ones aside,
 *                    or two live resources of one type with the same name (in the same dataset
 *                    group, for Personalize datasets, whose names are unique there only)
 *   wrongly deleted  a resource the driver retained that the emulator no longer holds
 *   missing          a resource a driver believes exists that the emulator no longer holds
 *
 * Live means anything but DELETED (a resource being deleted, or stuck in DELETE PENDING, is still
 * there). Resources are attributed to stack resources by physical id, and otherwise by name: each
 * request the driver sent names the resource it may have made (the fixed name in its properties,
 * or the name the handler generates for that request), so a resource a retried or lost request
 * left behind is still traced to its logical id.
 */
import { contextOf, generatePhysicalName } from '../../lambda/core/naming';
import { RESOURCES, resourceNameOf } from '../../src/contract';
import { Driver } from '../driver';
import { ResourceInfo } from '../emulator';

export interface Finding {
  readonly kind: 'leak' | 'duplicate' | 'wrongly-deleted' | 'missing';
  /** `<stack>/<logical id>` when known. */
  readonly resource?: string;
  readonly arn: string;
  readonly detail: string;
}

export interface CheckResult {
  readonly leaks: Finding[];
  readonly duplicates: Finding[];
  readonly wronglyDeleted: Finding[];
  readonly missing: Finding[];
  /** Live resources in the emulator. */
  readonly live: number;
  /** Live resources kept by a retain policy. */
  readonly retained: number;
}

/** Every finding, one line each: empty when the emulator and the drivers agree. */
export function describeFindings(result: CheckResult): string[] {
  return [...result.leaks, ...result.duplicates, ...result.wronglyDeleted, ...result.missing]
    .map((f) => `${f.kind}: ${f.resource ? `${f.resource} ` : ''}${f.arn} (${f.detail})`);
}

/** A stack resource, across drivers: the stack (by id, which is new for every deploy) and the logical id. */
interface Owner {
  readonly key: string;
  readonly label: string;
}

/**
 * Compares the emulator's resources (`emu.resources()`) with the drivers' beliefs and records.
 * Import jobs are left out: the library does not make them.
 */
export function checkConsistency(resources: readonly ResourceInfo[], drivers: readonly Driver[]): CheckResult {
  const managed = resources.filter((r) => r.type !== 'dataset-import-job');
  const live = managed.filter((r) => r.status !== 'DELETED');
  const byArn = new Map(managed.map((r) => [r.arn, r]));

  // What the drivers believe exists and what they retained, by physical id.
  const believed = new Map<string, Owner>();
  const retained = new Map<string, Owner>();
  // Names each stack resource may have given to what it made (fixed or generated per request).
  const namedBy = new Map<string, Owner>();
  for (const driver of drivers) {
    const requests = driver.record.requests.map((r) => r.request);
    // The stack a resource belongs to: that of the last request about it (a driver may deploy again after a destroy).
    const owner = (logicalId: string, stackId?: string): Owner => {
      const id = stackId ?? [...requests].reverse().find((r) => r.LogicalResourceId === logicalId)?.StackId ?? '';
      return { key: `${id}|${logicalId}`, label: `${stackNameOf(id)}/${logicalId}` };
    };
    for (const [logicalId, physicalId] of Object.entries(driver.physicalIds())) believed.set(physicalId, owner(logicalId));
    for (const r of driver.record.retained) {
      if (resourceNameOf(r.resourceType)) retained.set(r.physicalId, owner(r.logicalId)); // not the simulated ones (log groups)
    }
    for (const request of requests) {
      for (const name of namesOf(request)) namedBy.set(name.toLowerCase(), owner(request.LogicalResourceId, request.StackId));
    }
  }
  const ownerOf = (r: ResourceInfo): Owner | undefined =>
    believed.get(r.arn) ?? retained.get(r.arn) ?? namedBy.get(r.name.toLowerCase());

  const leaks: Finding[] = [];
  const duplicates: Finding[] = [];
  const wronglyDeleted: Finding[] = [];
  const missing: Finding[] = [];

  for (const r of live) {
    if (believed.has(r.arn) || retained.has(r.arn)) continue;
    const owner = ownerOf(r);
    leaks.push({
      kind: 'leak',
      resource: owner?.label,
      arn: r.arn,
      detail: `${r.type} "${r.name}" is ${r.status} but no stack resource holds it${owner ? '' : ' (made by no request of the drivers)'}`,
    });
  }

  // Two live, non-retained resources for one stack resource.
  const perOwner = new Map<string, ResourceInfo[]>();
  for (const r of live) {
    if (retained.has(r.arn)) continue;
    const owner = ownerOf(r);
    if (!owner) continue;
    perOwner.set(owner.key, [...(perOwner.get(owner.key) ?? []), r]);
  }
  for (const [key, list] of perOwner) {
    if (list.length < 2) continue;
    const label = ownerOf(list[0])!.label;
    for (const extra of list.slice(1)) {
      duplicates.push({ kind: 'duplicate', resource: label, arn: extra.arn, detail: `${list.length} live resources for ${key.split('|')[1]}: ${list.map((r) => r.name).join(', ')}` });
    }
  }
  // Two live resources of one type with the same name, where names are unique: in the account and
  // region (AgentCore regardless of case), or for Personalize datasets, in their dataset group.
  const perName = new Map<string, ResourceInfo[]>();
  for (const r of live) {
    const scope = r.type === 'dataset' ? r.arn.substring(0, r.arn.lastIndexOf('/')) : '';
    const key = `${r.service}:${r.type}:${scope}:${r.service === 'agentcore' ? r.name.toLowerCase() : r.name}`;
    perName.set(key, [...(perName.get(key) ?? []), r]);
  }
  for (const list of perName.values()) {
    for (const extra of list.slice(1)) {
      duplicates.push({ kind: 'duplicate', resource: ownerOf(extra)?.label, arn: extra.arn, detail: `${list.length} live ${extra.type} resources named "${extra.name}"` });
    }
  }

  for (const [arn, owner] of retained) {
    const r = byArn.get(arn);
    if (r && r.status !== 'DELETED') continue;
    wronglyDeleted.push({ kind: 'wrongly-deleted', resource: owner.label, arn, detail: r ? `retained, but ${r.type} "${r.name}" was deleted` : 'retained, but the emulator never had it' });
  }
  for (const [arn, owner] of believed) {
    const r = byArn.get(arn);
    if (r && r.status !== 'DELETED') continue;
    missing.push({ kind: 'missing', resource: owner.label, arn, detail: r ? `the driver holds it, but ${r.type} "${r.name}" was deleted` : 'the driver holds it, but the emulator never had it' });
  }

  return { leaks, duplicates, wronglyDeleted, missing, live: live.length, retained: live.filter((r) => retained.has(r.arn)).length };
}

/** The names a Create or replacing Update request may have given a resource: its fixed name, or the generated one. */
function namesOf(request: {
  RequestType: string;
  ResourceType: string;
  ResourceProperties: Record<string, unknown>;
  LogicalResourceId: string;
  StackId: string;
  RequestId: string;
}): string[] {
  const resource = resourceNameOf(request.ResourceType);
  if (!resource || request.RequestType === 'Delete') return [];
  const { nameProperty, nameRule } = RESOURCES[resource];
  const fixed = request.ResourceProperties[nameProperty];
  if (typeof fixed === 'string') return [fixed];
  return [generatePhysicalName(contextOf(request), nameRule)];
}

function stackNameOf(stackId: string): string {
  return stackId.split(':').pop()?.split('/')[1] ?? 'stack';
}
