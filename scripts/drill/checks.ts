import { activeAndPassive, sitePosture } from '../../config/dr';
import { sitesOf, type EstateConfig } from '../../config/load';
import type { StackJson } from './profile';

/*
 * The drill's verdicts, as pure functions of what it read: each step's observation against the
 * DR posture, stateful ids that changed, the state replication it stands in for, state objects
 * not under the region's key. (The drill itself, which applies and reads, is ./drill.ts.)
 */

/** What one region runs, as read from the emulator. */
export interface RegionObservation {
  readonly asg: { readonly min: number; readonly desired: number; readonly max: number } | null;
  readonly git: string | readonly string[];
  readonly databases: readonly { readonly identifier: string; readonly replicaOf: string | null }[];
}

/** What the emulator holds after a step: each region, and the region each DNS name serves. */
export interface Observation {
  readonly regions: Record<string, RegionObservation>;
  readonly dns: Record<string, string | null>;
}

/** The region of a stack, from its AWS provider. */
export const regionOf = (json: StackJson): string => String(json.provider?.aws?.[0]?.region);

/** The state bucket each state bucket replicates into, from the bootstrap stacks' rules. */
export function stateReplication(stacks: Record<string, StackJson>): StateReplicationPair[] {
  const owner = new Map<string, string>();
  for (const json of Object.values(stacks)) {
    for (const bucket of Object.values(json.resource?.aws_s3_bucket ?? {})) owner.set(String(bucket.bucket), regionOf(json));
  }
  const pairs: StateReplicationPair[] = [];
  for (const json of Object.values(stacks)) {
    const config = json.resource?.aws_s3_bucket_replication_configuration?.state_replication;
    if (!config) continue;
    // The primary's rule is in its bootstrap (the bucket by reference), the DR's in its regional stack (by name).
    const ownBucket = json.resource?.aws_s3_bucket?.state_bucket;
    const source = ownBucket && String(config.bucket).includes('aws_s3_bucket.state_bucket') ? String(ownBucket.bucket) : String(config.bucket);
    const rules = config.rule as { destination: { bucket: string; encryption_configuration?: { replica_kms_key_id?: string } } }[];
    for (const rule of rules) {
      const destination = rule.destination.bucket.replace(/^arn:aws:s3:::/, '');
      pairs.push({
        source,
        sourceRegion: owner.get(source) ?? regionOf(json),
        destination,
        destinationRegion: owner.get(destination) ?? '',
        replicaKmsKeyId: rule.destination.encryption_configuration?.replica_kms_key_id,
      });
    }
  }
  return pairs;
}

/** One state bucket replication rule, as the drill carries it out. */
export interface StateReplicationPair {
  readonly source: string;
  readonly sourceRegion: string;
  readonly destination: string;
  readonly destinationRegion: string;
  /** The key replicas are written under (the destination region's storage key). */
  readonly replicaKmsKeyId?: string;
}

/** State objects not encrypted with a KMS key (the backend's `kms_key_id`, or the replica key), one line each. */
export function unencryptedState(objects: readonly { bucket: string; key: string; sse: string | null; kmsKeyId: string | null }[]): string[] {
  return objects
    .filter((o) => o.sse !== 'aws:kms' || !o.kmsKeyId)
    .map((o) => `state object s3://${o.bucket}/${o.key} is ${o.sse ?? 'unencrypted'}, expected SSE-KMS under the region's storage key`);
}

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
