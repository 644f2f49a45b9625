import { join } from 'node:path';
import { deploySequence } from '../deploy/order';
import { drCycle, type DrCycleStep, type DrPosition } from '../../config/dr';
import { resolveConfig, sitesOf, type EstateConfig } from '../../config/load';
import { DNS_STACK_NAME, namePrefix } from '../../config/naming';
import type { EstateConfigInput } from '../../config/schema';
import { synthesizeEstate } from '../dr/synthesize';
import { pool } from '../terraform/toolchain';
import { probe } from './probe';
import { idSpec, type Estate } from './estate';
import { regionOf } from './checks';
import { attemptDark, type DarkReport } from './darkness';
import { liveLockCheck, type LiveLockReport } from './live-lock';
import { replanProblems, replicationSummary, verifyStep, type ReplicationDone } from './verify';
import type { EndpointPlan, StackJson } from './profile';

export * from './checks';
export { readEstate, replanProblems, tryRefusedTransition, verifyStep, type RefusalReport } from './verify';
export { probe } from './probe';
import { apply, lastLines, migrateToS3, prepareStack, replan, type DrillTerraform } from './terraform';
import { judgeStep, permissionLines, permissionProblems, type CallLog, type PermissionsReport } from './permissions';
import { RevokeError, revokeStatements, stackRoles } from './roles';
import type { AccountFacts } from '../iam/facts';

/*
 * The DR drill: the estate applied to the emulator through the project's own deploy order
 * (scripts/deploy/order.ts deploySequence), one DR cycle step at a time, each step read back from the
 * emulated AWS with the AWS SDK (aws_probe.py) and compared with what the DR posture says the
 * step must show (sitePosture in config/dr.ts, the active region).
 */

/** One step of the report. */
export interface StepReport {
  readonly name: DrCycleStep;
  readonly position: DrPosition;
  /** Per region as read from the emulator, plus `dns`. */
  readonly observed: Record<string, unknown>;
  /** Each region's app group: the launch template version it launches, the latest, the database it names. */
  readonly launchTemplate: Record<string, unknown>;
  /** The hand-written expectations of ./expectations.ts held. */
  readonly expectationsMet: boolean;
  readonly statefulIdsUnchanged: boolean;
  /** New stateful resources the step was not expected to create. */
  readonly unexpectedResources: readonly string[];
  readonly secondPlanEmpty: boolean;
  /** Stacks applied, in order. */
  readonly applied: readonly string[];
  /** In a step with a dark region: the attempt on each of its stacks, which must be refused. */
  readonly dark?: readonly DarkReport[];
  /** With a region dark: the DNS stack's real state lock held, a second writer refused, then released. */
  readonly liveLock?: LiveLockReport;
  /** The state replication carried out per the rules read back from the emulator. */
  readonly replication: readonly string[];
  /** Best-effort stacks whose apply failed (each is also a problem: their region was reachable). */
  readonly failed?: readonly string[];
  /** Stacks of the deploy order not applied, with why. */
  readonly skipped: readonly string[];
  /** Differences from the DR posture, stateful ids that changed, plans that were not empty, calls IAM would refuse. */
  readonly problems: readonly string[];
  /** Every call the step's terraform made, judged against the CI role that makes it (when calls are recorded). */
  readonly permissions?: PermissionsReport;
  readonly seconds: number;
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
  /** Stacks whose plan role has made a refreshing plan of existing state (its reads judged). */
  readonly refreshed?: Set<string>;
  /** Stacks whose second plan at the end of the last step refreshed them and was empty. */
  readonly replannedLastStep?: Set<string>;
}

/** The config of a posture: the committed one with its DR fields replaced (throws ConfigError). */
export function configIn(input: EstateConfigInput, position: DrPosition): EstateConfig {
  return resolveConfig({ ...input, ...position });
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
  const position = drCycle(committed.primary.region, committed.dr.region)[0].position;
  const config = configIn(ctx.input, position);
  const first = configIn({ ...ctx.input, stateBackend: { ...ctx.input.stateBackend, bootstrapStateInS3: false } }, position);
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
export async function runStep(ctx: DrillContext, step: DrCycleStep, position: DrPosition): Promise<StepReport> {
  const started = Date.now();
  const config = configIn(ctx.input, position);
  const stacks = synthesizeEstate(config) as Record<string, StackJson>;
  if (ctx.breakStep === step) {
    ctx.log(`${step}: BROKEN POSTURE on purpose (--break ${step}): the two regions' app-tier sizes are swapped`);
    swapAppTierSizes(stacks);
  }
  const estate: Estate = { config, stacks };
  // The failover is drilled with the primary region dark: all its endpoints lead nowhere.
  const dark: string[] = step === 'failover' ? [config.primary.region] : [];
  const plan: EndpointPlan = { emulator: ctx.emulator, dark: dark.length ? { regions: dark, endpoint: ctx.closedEndpoint } : undefined };
  ctx.log(`\n== ${step}: activeRegion ${position.activeRegion}, switches ${position.switches}, reprotects ${position.reprotects}${dark.length ? `; ${dark.join(', ')} dark (every endpoint -> ${ctx.closedEndpoint})` : ''}`);

  const idsBefore = await probe<Record<string, string>>(ctx, 'ids', idSpec(estate));
  const replication: ReplicationDone[] = [];
  const darkness: DarkReport[] = [];
  const problems: string[] = [];
  const applied: string[] = [];
  const failed: string[] = [];
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
      // Attempted as the pipeline attempts it: every call must be refused.
      const attempt = await attemptDark(ctx.tf, item.stack, region, json, plan, stackRoles(config, item.stack, json).plan);
      darkness.push(attempt);
      ctx.log(`  ${item.stack}: ${attempt.refused ? 'refused (its region is dark)' : 'NOT REFUSED'}: ${attempt.call}`);
      if (!attempt.refused) problems.push(`${item.stack}: its region ${region} is dark, yet ${attempt.call}`);
      skipped.push(`${item.stack}: its region is dark in this step (best effort: ${item.bestEffortReason})`);
      continue;
    }
    const t0 = Date.now();
    const roles = stackRoles(config, item.stack, json);
    const targets = await prepareStack(ctx.tf, item.stack, json, plan, roles.plan);
    targetsOf.set(item.stack, targets);
    // The plan skips its refresh when the last step's second plan just refreshed this stack and
    // its plan role has refreshed it once before (its reads judged); the second plans after
    // this step refresh everything again.
    const refresh = !(ctx.refreshed?.has(item.stack) && ctx.replannedLastStep?.has(item.stack));
    const result = await apply(ctx.tf, item.stack, targets, roles, refresh);
    if (refresh && ctx.replannedLastStep?.has(item.stack)) ctx.refreshed?.add(item.stack);
    if (result.code !== 0) {
      if (item.bestEffort && !ctx.tf.signal?.aborted) {
        // Best effort lets the switch go on, but its region is reachable here: the failure is a problem.
        problems.push(`${item.stack}: its best-effort apply failed although ${region} is reachable: ${lastLines(result, 2)}`);
        failed.push(item.stack);
        continue;
      }
      throw applyFailure(ctx, `${step}: ${item.stack}`, result);
    }
    applied.push(item.stack);
    ctx.log(`  ${item.stack}: applied (${item.phase}${item.bestEffort ? ', best effort' : ''}) in ${Math.round((Date.now() - t0) / 1000)} s`);
    // S3 replication of the state just written, per the rules the emulator holds.
    const backend = json.terraform?.backend?.s3 as { bucket?: string; region?: string } | undefined;
    if (backend?.bucket) replication.push(...(await probe<ReplicationDone[]>(ctx, 'replicate', { source: backend.bucket, sourceRegion: backend.region, dark })));
  }
  for (const reason of skipped) ctx.log(`  skipped ${reason}`);
  // The second plans and the read-back only read: they run together.
  const [replans, verdict] = await Promise.all([
    pool(applied, 2, async (stack) => ({
      stack,
      result: await replan(ctx.tf, stack, targetsOf.get(stack) ?? [], stackRoles(config, stack, stacks[stack]).review),
    })),
    verifyStep(ctx, step, estate, dark, idsBefore),
  ]);
  for (const { stack, result } of replans) problems.push(...replanProblems(stack, result));
  ctx.replannedLastStep?.clear();
  for (const { stack, result } of replans) if (result.code === 0) ctx.replannedLastStep?.add(stack);
  const secondPlanEmpty = replans.every((r) => r.result.code === 0);
  problems.push(...verdict.problems);
  // With a region dark, the state lock is shown working on a real stack's state (the DNS stack's, in the DR region).
  let liveLock: LiveLockReport | undefined;
  if (dark.length && applied.includes(DNS_STACK_NAME)) {
    liveLock = await liveLockCheck(ctx.tf, DNS_STACK_NAME, targetsOf.get(DNS_STACK_NAME) ?? [], stackRoles(config, DNS_STACK_NAME, stacks[DNS_STACK_NAME]).apply);
    ctx.log(`  ${DNS_STACK_NAME}: its lock held by one session, a second writer ${liveLock.refused ? 'refused' : 'NOT refused'}, then ${liveLock.released ? 'released (an empty plan)' : 'NOT released'}`);
    problems.push(...liveLock.problems);
  }
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
    position,
    observed: { ...verdict.observation.regions, dns: verdict.observation.dns, failover: verdict.observation.failover },
    launchTemplate: Object.fromEntries(Object.entries(verdict.observation.regions).map(([region, seen]) => [region, seen.launchTemplate ?? null])),
    expectationsMet: verdict.expectationsMet,
    statefulIdsUnchanged: verdict.changed.length === 0,
    unexpectedResources: verdict.unexpected,
    secondPlanEmpty,
    ...(darkness.length ? { dark: darkness } : {}),
    ...(liveLock ? { liveLock } : {}),
    replication: replicationSummary(replication),
    applied,
    ...(failed.length ? { failed } : {}),
    skipped,
    problems,
    ...(permissions ? { permissions } : {}),
    seconds,
  };
}

