import { join } from 'node:path';
import { deploySequence } from '../../config/deploy-order';
import { drCycle, type DrCycleStep, type DrPosture } from '../../config/dr';
import { ConfigError, resolveConfig, sitesOf, type EstateConfig } from '../../config/load';
import { namePrefix, stateBucketName } from '../../config/naming';
import type { EstateConfigInput } from '../../config/schema';
import { synthesizeEstate } from '../dr/synthesize';
import { pool } from '../terraform/toolchain';
import { probe } from './probe';
import { idSpec, observationSpec, type Estate } from './estate';
import { changedIds, postureProblems, regionOf, stateReplication, unencryptedState, type Observation } from './checks';
import type { EndpointPlan, StackJson } from './profile';

export * from './checks';
export { probe } from './probe';
import { apply, lastLines, migrateToS3, plannedChanges, prepareStack, replan, type DrillTerraform } from './terraform';
import { judgeStep, permissionLines, permissionProblems, type CallLog, type PermissionsReport } from './permissions';
import { RevokeError, revokeStatements, stackRoles } from './roles';
import type { AccountFacts } from '../iam/facts';

/*
 * The DR drill: the estate applied to the emulator through the project's own deploy order
 * (config/deploy-order.ts deploySequence), one DR cycle step at a time, each step read back from the
 * emulated AWS with the AWS SDK (aws_probe.py) and compared with what the DR posture says the
 * step must show (sitePosture in config/dr.ts, the active region).
 */

/** One step of the report. */
export interface StepReport {
  readonly name: DrCycleStep;
  readonly posture: DrPosture;
  /** Per region as read from the emulator, plus `dns`. */
  readonly observed: Record<string, unknown>;
  readonly statefulIdsUnchanged: boolean;
  readonly secondPlanEmpty: boolean;
  /** Stacks applied, in order. */
  readonly applied: readonly string[];
  /** Stacks of the deploy order not applied, with why. */
  readonly skipped: readonly string[];
  /** Differences from the DR posture, stateful ids that changed, plans that were not empty, calls IAM would refuse. */
  readonly problems: readonly string[];
  /** Every call the step's terraform made, judged against the CI role that makes it (when calls are recorded). */
  readonly permissions?: PermissionsReport;
  readonly seconds: number;
}

/** A transition the drill expects the project to refuse. */
export interface RefusalReport {
  readonly from: DrCycleStep;
  readonly attempted: string;
  readonly refused: boolean;
  readonly reason: string;
  /** True when nothing in the emulator changed. */
  readonly nothingApplied: boolean;
}

/** Everything a drill needs. */
export interface DrillContext {
  readonly tf: DrillTerraform;
  /** The committed estate config input; the drill changes only its DR fields per step. */
  readonly input: EstateConfigInput;
  readonly emulator: string;
  /** A loopback URL nothing listens on: the dark region's endpoint. */
  readonly closedEndpoint: string;
  /** Runs aws_probe.py (see {@link probe}). */
  readonly python: string;
  readonly log: (line: string) => void;
  /**
   * A deliberately broken posture, to prove the drill fails on one: in this step the stacks
   * are applied with the two regions' app-tier sizes swapped (the switch scales the wrong region).
   */
  readonly breakStep?: DrCycleStep;
  /** The emulator's record of calls: when set, each step's calls are judged (the permission proof). */
  readonly calls?: CallLog;
  /**
   * Statements removed from a CI role's policies before the bootstrap applies them
   * (`<purpose>:<sid>`), to prove the permission proof fails on a missing grant.
   */
  readonly revoke?: readonly string[];
}

/** The config of a posture: the committed one with its DR fields replaced (throws ConfigError). */
export function configIn(input: EstateConfigInput, posture: DrPosture): EstateConfig {
  return resolveConfig({ ...input, ...posture });
}

/** The two regions' app-tier sizes swapped, for {@link DrillContext.breakStep}. */
function swapAppTierSizes(stacks: Record<string, StackJson>): void {
  const asgs = Object.values(stacks)
    .map((json) => json.resource?.aws_autoscaling_group?.app_asg)
    .filter((asg): asg is Record<string, unknown> => Boolean(asg));
  const [a, b] = asgs;
  for (const key of ['min_size', 'desired_capacity', 'max_size']) [a[key], b[key]] = [b[key], a[key]];
}

/** A step that could not be applied (a required stack failed, or the drill was interrupted). */
export class DrillFailure extends Error {}

function applyFailure(ctx: DrillContext, what: string, result: Parameters<typeof lastLines>[0]): DrillFailure {
  return new DrillFailure(
    ctx.tf.signal?.aborted
      ? `${what}: interrupted (SIGINT or SIGTERM): terraform and the emulator were stopped.`
      : `${what}: terraform apply failed: ${lastLines(result)}`,
  );
}

/**
 * Applies the bootstrap stacks with local state, both at once (a first bootstrap: their buckets
 * do not exist yet), moves their state into those buckets as the committed config keeps it
 * (`stateBackend.bootstrapStateInS3`), and creates the hosted zone.
 */
export async function bootstrap(ctx: DrillContext): Promise<Estate> {
  const committed = resolveConfig(ctx.input);
  const posture = drCycle(committed.primary.region, committed.dr.region)[0].posture;
  const config = configIn(ctx.input, posture);
  const first = configIn({ ...ctx.input, stateBackend: { ...ctx.input.stateBackend, bootstrapStateInS3: false } }, posture);
  const stacks = synthesizeEstate(first) as Record<string, StackJson>;
  const plan: EndpointPlan = { emulator: ctx.emulator };
  const names = Object.keys(stacks).filter((s) => s.startsWith('bootstrap-'));
  if (ctx.revoke?.length) {
    try {
      revokeStatements(stacks, ctx.revoke);
    } catch (error) {
      throw error instanceof RevokeError ? new DrillFailure(error.message) : error;
    }
    ctx.log(`bootstrap: REVOKED on purpose (--revoke): ${ctx.revoke.join(', ')}`);
  }
  ctx.log(`bootstrap: applying ${names.join(', ')} (local state: a first bootstrap) in parallel`);
  await pool(names, 2, async (stack) => {
    const roles = stackRoles(config, stack, stacks[stack]);
    const targets = await prepareStack(ctx.tf, stack, stacks[stack], plan, roles.plan);
    const result = await apply(ctx.tf, stack, targets, roles);
    if (result.code !== 0) throw applyFailure(ctx, stack, result);
    ctx.log(`  ${stack}: applied`);
  });
  if (config.stateBackend.bootstrapStateInS3) {
    const inS3 = synthesizeEstate(config) as Record<string, StackJson>;
    if (ctx.revoke?.length) revokeStatements(inS3, ctx.revoke);
    for (const stack of names) {
      const moved = await migrateToS3(ctx.tf, stack, inS3[stack], plan, stackRoles(config, stack, inS3[stack]));
      if (moved.code !== 0) throw new DrillFailure(`bootstrap: moving ${stack}'s state into its bucket left a plan that is not empty or failed: ${lastLines(moved)}`);
      ctx.log(`  ${stack}: state moved into its bucket (init -migrate-state), plan empty`);
    }
  }
  const zone = await probe<{ id: string; created: boolean }>(ctx, 'zone', { name: config.dns.zoneName });
  ctx.log(`bootstrap: hosted zone ${config.dns.zoneName} ${zone.created ? 'created' : 'exists'} (${zone.id})`);
  return { config, stacks };
}

/** Applies one step of the cycle and reads it back. */
export async function runStep(ctx: DrillContext, step: DrCycleStep, posture: DrPosture): Promise<StepReport> {
  const started = Date.now();
  const config = configIn(ctx.input, posture);
  const stacks = synthesizeEstate(config) as Record<string, StackJson>;
  if (ctx.breakStep === step) {
    ctx.log(`${step}: BROKEN POSTURE on purpose (--break ${step}): the two regions' app-tier sizes are swapped`);
    swapAppTierSizes(stacks);
  }
  const estate: Estate = { config, stacks };
  // The failover is drilled with the primary region dark: all its endpoints lead nowhere.
  const dark: string[] = step === 'failover' ? [config.primary.region] : [];
  const plan: EndpointPlan = { emulator: ctx.emulator, dark: dark.length ? { regions: dark, endpoint: ctx.closedEndpoint } : undefined };
  ctx.log(`\n== ${step}: activeRegion ${posture.activeRegion}, switches ${posture.switches}, reprotects ${posture.reprotects}${dark.length ? `; ${dark.join(', ')} dark (every endpoint -> ${ctx.closedEndpoint})` : ''}`);

  const idsBefore = await probe<Record<string, string>>(ctx, 'ids', idSpec(estate));
  const replication = stateReplication(stacks);
  const applied: string[] = [];
  const skipped: string[] = [];
  const targetsOf = new Map<string, string[]>();
  for (const item of deploySequence(config)) {
    const json = stacks[item.stack];
    const region = regionOf(json);
    if (item.phase === 'monitoring' || item.stack.startsWith('monitoring-')) {
      skipped.push(`${item.stack}: the helm and kubernetes providers are not on this machine, and the emulator has no Kubernetes API`);
      continue;
    }
    if (dark.includes(region)) {
      if (!item.bestEffort) throw new DrillFailure(`${step}: ${item.stack} is required but its region ${region} is dark: the failover depends on the region it leaves.`);
      skipped.push(`${item.stack}: its region is dark in this step (best effort: ${item.bestEffortReason})`);
      continue;
    }
    const t0 = Date.now();
    const roles = stackRoles(config, item.stack, json);
    const targets = await prepareStack(ctx.tf, item.stack, json, plan, roles.plan);
    targetsOf.set(item.stack, targets);
    const result = await apply(ctx.tf, item.stack, targets, roles);
    if (result.code !== 0) {
      if (item.bestEffort && !ctx.tf.signal?.aborted) {
        skipped.push(`${item.stack}: failed, best effort (${lastLines(result, 2)})`);
        continue;
      }
      throw applyFailure(ctx, `${step}: ${item.stack}`, result);
    }
    applied.push(item.stack);
    ctx.log(`  ${item.stack}: applied (${item.phase}${item.bestEffort ? ', best effort' : ''}) in ${Math.round((Date.now() - t0) / 1000)} s`);
    const backend = json.terraform?.backend?.s3 as { bucket?: string } | undefined;
    for (const pair of replication.filter((p) => p.source === backend?.bucket && !dark.includes(p.sourceRegion) && !dark.includes(p.destinationRegion))) {
      await probe(ctx, 'replicate', pair);
    }
  }
  for (const reason of skipped) ctx.log(`  skipped ${reason}`);

  const problems: string[] = [];
  const replans = await pool(applied, 2, async (stack) => ({
    stack,
    result: await replan(ctx.tf, stack, targetsOf.get(stack) ?? [], stackRoles(config, stack, stacks[stack]).review),
  }));
  for (const { stack, result } of replans) {
    if (result.code === 0) continue;
    if (result.code === 2) problems.push(`${stack}: the second plan is not empty: ${plannedChanges(result).join('; ')}`);
    else problems.push(`${stack}: the second plan failed: ${lastLines(result)}`);
  }
  const secondPlanEmpty = replans.every((r) => r.result.code === 0);

  const observation = await probe<Observation>(ctx, 'observe', observationSpec(estate));
  const idsAfter = await probe<Record<string, string>>(ctx, 'ids', idSpec(estate));
  const changed = changedIds(idsBefore, idsAfter);
  problems.push(...changed.map((c) => `stateful resource replaced or destroyed: ${c}`));
  problems.push(...postureProblems(config, observation, dark));
  // Every state object the step wrote (and every replica) is under a storage key, not SSE-S3.
  const stateBuckets = sitesOf(config).filter((site) => !dark.includes(site.region)).map((site) => ({ bucket: stateBucketName(config, site.region), region: site.region }));
  const encryption = await probe<{ bucket: string; key: string; sse: string | null; kmsKeyId: string | null }[]>(ctx, 'encryption', { buckets: stateBuckets });
  problems.push(...unencryptedState(encryption));
  let permissions: PermissionsReport | undefined;
  if (ctx.calls) {
    const readFacts = () => probe<AccountFacts>(ctx, 'facts', { prefix: namePrefix(config), regions: sitesOf(config).map((s) => s.region) });
    permissions = await judgeStep(ctx.calls, readFacts, config.accountId, `${namePrefix(config)}-ci-`, join(ctx.tf.workDir, `facts-${step}.json`));
    for (const line of permissionLines(permissions)) ctx.log(line);
    problems.push(...permissionProblems(permissions));
    problems.push(...applied.filter((stack) => !permissions!.stacks.some((s) => s.stack === stack && s.evaluated > 0)).map((stack) => `${stack}: no call of its apply was judged`));
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  ctx.log(`${step}: ${problems.length ? `${problems.length} problem(s)` : 'as the DR posture says'} (${seconds} s)`);
  for (const p of problems) ctx.log(`  PROBLEM ${p}`);
  return {
    name: step,
    posture,
    observed: { ...observation.regions, dns: observation.dns },
    statefulIdsUnchanged: changed.length === 0,
    secondPlanEmpty,
    applied,
    skipped,
    problems,
    ...(permissions ? { permissions } : {}),
    seconds,
  };
}

/** Tries a transition the project must refuse; true when it was refused before anything ran. */
export async function tryRefusedTransition(
  ctx: DrillContext,
  from: DrCycleStep,
  attempted: string,
  posture: DrPosture,
  idsOf: () => Promise<Record<string, string>>,
): Promise<RefusalReport> {
  const before = await idsOf();
  let refused = false;
  let reason = '';
  try {
    const config = configIn(ctx.input, posture);
    reason = `accepted: ${JSON.stringify(posture)} resolved to state with active ${config.activeRegion}`;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    refused = true;
    reason = error.problems.join(' ');
  }
  const after = await idsOf();
  const nothingApplied = changedIds(before, after).length === 0 && Object.keys(after).length === Object.keys(before).length;
  ctx.log(`refusal check after ${from}: ${attempted} ${refused ? 'refused' : 'NOT refused'}: ${reason}`);
  return { from, attempted, refused, reason, nothingApplied };
}

/** Reads the stateful ids of the estate (for the refusal check). */
export function readIds(ctx: DrillContext, estate: Estate): Promise<Record<string, string>> {
  return probe<Record<string, string>>(ctx, 'ids', idSpec(estate));
}
