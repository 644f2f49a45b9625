import { activeAndPassive, sitePosture } from '../../config/dr';
import { sitesOf, type EstateConfig } from '../../config/load';
import type { StackJson } from './profile';

/*
 * The drill's verdicts, as pure functions of what it read: each step's observation against the
 * DR posture, and stateful ids that changed. (The drill itself, which applies and reads, is
 * ./drill.ts; the hand-written expectations are ./expectations.ts.)
 */

/** What one region runs, as read from the emulator. */
export interface RegionObservation {
  readonly asg: { readonly min: number; readonly desired: number; readonly max: number } | null;
  readonly git: string | readonly string[];
  readonly databases: readonly { readonly identifier: string; readonly replicaOf: string | null }[];
  /** The launch template version the app group launches, the template's latest, and the database its user data names. */
  readonly launchTemplate?: { readonly version: string; readonly versionNumber: number; readonly latest: number; readonly database: string | null } | null;
}

/** A failover record as read: its role, the region of its target and of its health check's target. */
export interface FailoverRecord {
  readonly failover: 'PRIMARY' | 'SECONDARY';
  readonly setIdentifier: string | null;
  readonly region: string | null;
  readonly healthCheck: string | null;
}

/** What the emulator holds after a step: each region, and the region each DNS name serves. */
export interface Observation {
  readonly regions: Record<string, RegionObservation>;
  readonly dns: Record<string, string | null>;
  /** Every failover record of each name the DNS stack manages. */
  readonly failover?: Record<string, readonly FailoverRecord[]>;
}

/** The region of a stack, from its AWS provider. */
export const regionOf = (json: StackJson): string => String(json.provider?.aws?.[0]?.region);

/** What the DR posture says a step must show, compared with what was read; one line per difference. */
export function postureProblems(config: EstateConfig, observed: Observation, darkRegions: readonly string[]): string[] {
  const problems: string[] = [];
  const { active, passive } = activeAndPassive(config);
  for (const site of sitesOf(config)) {
    if (darkRegions.includes(site.region)) continue;
    const seen = observed.regions[site.region];
    const posture = sitePosture(config, site);
    const where = `${site.region} (${posture.serves ? 'active' : 'passive'})`;
    const capacity = posture.app;
    const asg = seen?.asg;
    if (!asg || asg.min !== capacity.min || asg.desired !== capacity.desired || asg.max !== capacity.max) {
      problems.push(`${where}: app Auto Scaling group is ${JSON.stringify(asg)}, expected ${JSON.stringify(capacity)}.`);
    }
    const git = posture.gitServer;
    if (seen?.git !== git) problems.push(`${where}: Git server is ${JSON.stringify(seen?.git)}, expected "${git}".`);
    const placement = posture.database;
    const replicaOf = placement.source
      ? `arn:aws:rds:${placement.source.region}:${config.accountId}:db:${placement.source.identifier}`
      : null;
    const databases = seen?.databases ?? [];
    const current = databases.find((d) => d.identifier === placement.identifier);
    if (!current) problems.push(`${where}: database ${placement.identifier} not found (found ${databases.map((d) => d.identifier).join(', ') || 'none'}).`);
    else if (current.replicaOf !== replicaOf) {
      problems.push(`${where}: database ${placement.identifier} replicates ${current.replicaOf ?? 'nothing'}, expected ${replicaOf ?? 'nothing (a writer)'}.`);
    }
    for (const other of databases.filter((d) => d.identifier !== placement.identifier && d.replicaOf)) {
      problems.push(`${where}: retired database ${other.identifier} still replicates ${other.replicaOf}.`);
    }
  }
  const appName = `${config.dns.appRecordName}.${config.dns.zoneName}`;
  if (observed.dns[appName] !== active.region) {
    problems.push(`DNS: ${appName} serves ${observed.dns[appName] ?? 'nothing'}, expected ${active.region}.`);
  }
  // The standby route: to the passive site while its database is a replica, else none at all.
  const standby = sitePosture(config, passive).routable ? passive.region : null;
  if ((observed.dns[`standby ${appName}`] ?? null) !== standby) {
    problems.push(`DNS: the standby route of ${appName} leads to ${observed.dns[`standby ${appName}`] ?? 'nothing'}, expected ${standby ?? 'nothing (the passive database is the detached old writer)'}.`);
  }
  return problems;
}

/** Ids/ARNs present before and different or missing after, one line each. */
export function changedIds(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.entries(before)
    .filter(([key, id]) => after[key] !== id)
    .map(([key, id]) => `${key}: ${id} -> ${after[key] ?? 'gone'}`);
}
