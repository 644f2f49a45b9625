import type { DrCycleStep } from '../../config/dr';
import { ConfigError, sitesOf } from '../../config/load';
import { stateBucketName, storageKeyAlias } from '../../config/naming';
import type { TerraformResult } from '../terraform/toolchain';
import { changedIds, postureProblems, type Observation } from './checks';
import type { DrillContext } from './drill';
import { idSpec, observationSpec, type Estate } from './estate';
import { expectationProblems, unexpectedIds } from './expectations';
import { probe } from './probe';
import { lastLines, plannedChanges } from './terraform';

/*
 * A step's read-back and its verdicts: what the emulator holds against the DR posture
 * (config/dr.ts), against the hand-written expectations (./expectations.ts), stateful ids
 * against those read before, every state object under its own region's storage key; and the
 * refused transition, attempted for real.
 */

/** What a step's read-back shows: the observation, and every problem of it. */
export interface StepVerdict {
  readonly observation: Observation;
  readonly problems: string[];
  /** Stateful ids changed or gone since the step began. */
  readonly changed: string[];
  /** New stateful ids the step was not expected to create. */
  readonly unexpected: string[];
  /** True when the hand-written expectations held. */
  readonly expectationsMet: boolean;
}

/** How one state object is encrypted, and the key its region's storage alias names. */
export interface StateObjectEncryption {
  readonly bucket: string;
  readonly key: string;
  readonly sse: string | null;
  readonly kmsKeyId: string | null;
  /** The ARN of the region's storage key (its alias's target), or null when the alias is missing. */
  readonly regionKey: string | null;
}

/** State objects not under their own region's storage key, one line each. */
export function stateNotUnderRegionKey(objects: readonly StateObjectEncryption[]): string[] {
  return objects
    .filter((o) => o.sse !== 'aws:kms' || !o.kmsKeyId || !o.regionKey || !sameKey(o.kmsKeyId, o.regionKey))
    .map((o) => `state object s3://${o.bucket}/${o.key} is ${o.sse === 'aws:kms' ? `under ${o.kmsKeyId ?? 'no key'}` : (o.sse ?? 'unencrypted')}, expected SSE-KMS under its region's storage key ${o.regionKey ?? '(alias missing)'}`);
}

/** A key id or ARN against a key ARN. */
const sameKey = (id: string, arn: string) => id === arn || arn.endsWith(`:key/${id}`) || id.endsWith(`/${arn.split('/').pop()}`);

/** Reads every state object's encryption in the reachable regions. */
export function stateEncryption(ctx: DrillContext, estate: Estate, dark: readonly string[]): Promise<StateObjectEncryption[]> {
  const { config } = estate;
  const buckets = sitesOf(config)
    .filter((site) => !dark.includes(site.region))
    .map((site) => ({ bucket: stateBucketName(config, site.region), region: site.region, alias: storageKeyAlias(config) }));
  return probe<StateObjectEncryption[]>(ctx, 'encryption', { buckets });
}

/**
 * Reads a step back and judges it. The mutations (./mutations.ts) call it again after changing
 * the estate.
 */
export async function verifyStep(ctx: DrillContext, step: DrCycleStep, estate: Estate, dark: readonly string[], idsBefore: Record<string, string>): Promise<StepVerdict> {
  const [observation, idsAfter, encryption] = await Promise.all([
    probe<Observation>(ctx, 'observe', observationSpec(estate)),
    probe<Record<string, string>>(ctx, 'ids', idSpec(estate)),
    stateEncryption(ctx, estate, dark),
  ]);
  const changed = changedIds(idsBefore, idsAfter);
  const unexpected = unexpectedIds(step, idsBefore, idsAfter);
  const expected = expectationProblems(step, observation);
  const problems = [
    ...changed.map((c) => `stateful resource replaced or destroyed: ${c}`),
    ...unexpected,
    ...postureProblems(estate.config, observation, dark),
    ...expected,
    ...stateNotUnderRegionKey(encryption),
  ];
  return { observation, problems, changed, unexpected, expectationsMet: expected.length === 0 };
}

/** A second plan's verdict: nothing when it is empty, else each planned change or the failure. */
export function replanProblems(stack: string, result: TerraformResult): string[] {
  if (result.code === 0) return [];
  if (result.code === 2) return [`${stack}: the second plan is not empty: ${plannedChanges(result).join('; ')}`];
  return [`${stack}: the second plan failed: ${lastLines(result)}`];
}

/** A transition the drill expects the project to refuse. */
export interface RefusalReport {
  readonly from: DrCycleStep;
  readonly attempted: string;
  readonly refused: boolean;
  readonly reason: string;
  /** True when nothing in the emulator changed: no stateful id, size, server state, database role or record. */
  readonly nothingApplied: boolean;
}

/**
 * Attempts a transition the project must refuse, as a step is run: `resolve` is the config
 * the drill would build (it throws ConfigError when refused), `apply` runs the step when it was
 * not refused. The emulator is read before and after, so an accepted transition shows what it
 * changed.
 */
export async function tryRefusedTransition(
  ctx: DrillContext,
  from: DrCycleStep,
  attempted: string,
  resolve: () => unknown,
  apply: () => Promise<unknown>,
  read: () => Promise<unknown>,
): Promise<RefusalReport> {
  const before = JSON.stringify(await read());
  let refused = false;
  let reason = '';
  try {
    resolve();
    reason = 'accepted: the drill applied it';
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    refused = true;
    reason = error.problems.join(' ');
  }
  if (!refused) {
    try {
      await apply();
    } catch (error) {
      reason += ` (its apply failed: ${(error as Error).message})`;
    }
  }
  const nothingApplied = JSON.stringify(await read()) === before;
  ctx.log(`refusal check after ${from}: ${attempted} ${refused ? 'refused' : 'NOT refused'}: ${reason}`);
  return { from, attempted, refused, reason, nothingApplied };
}

/** The estate as the refusal check compares it: stateful ids and the observation. */
export async function readEstate(ctx: DrillContext, estate: Estate): Promise<unknown> {
  const [ids, observation] = await Promise.all([probe(ctx, 'ids', idSpec(estate)), probe(ctx, 'observe', observationSpec(estate))]);
  return { ids, observation };
}

/** One replication rule carried out after an apply (aws_probe.py replicate). */
export interface ReplicationDone {
  readonly rule: string;
  readonly source: string;
  readonly destination: string;
  readonly prefix: string;
  readonly replicaKey: string | null;
  readonly copied: number;
  readonly skipped?: string;
}

/** One line per rule: where it copied, under which key, how many objects over the step. */
export function replicationSummary(done: readonly ReplicationDone[]): string[] {
  const byRule = new Map<string, { line: string; copied: number; skipped?: string }>();
  for (const d of done) {
    const key = `${d.source} -> ${d.destination}`;
    const entry = byRule.get(key) ?? { line: `${key} (rule ${d.rule}, prefix "${d.prefix}", replica key ${d.replicaKey ?? 'none'})`, copied: 0 };
    entry.copied += d.copied;
    if (d.skipped) entry.skipped = d.skipped;
    byRule.set(key, entry);
  }
  return [...byRule.values()].map((e) => `${e.line}: ${e.skipped ? `not copied (destination ${e.skipped})` : `${e.copied} object(s) copied`}`);
}
