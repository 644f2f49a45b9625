import { activeAndPassive } from '../../config/dr';
import type { DrCycleStep, DrPosition } from '../../config/dr';
import { databaseIdentifier, lockTableName } from '../../config/naming';
import { synthesizeEstate } from '../dr/synthesize';
import { regionOf } from './checks';
import { configIn, replanProblems, verifyStep, type DrillContext } from './drill';
import type { Estate } from './estate';
import { idSpec, observationSpec } from './estate';
import { EXPECTED } from './expectations';
import { probe } from './probe';
import { drillTargets, type StackJson } from './profile';
import { replan } from './terraform';
import { stackRoles } from './roles';

/*
 * The drill's checks shown alive. After the last step of the cycle, the emulated estate is
 * changed out of band, one way at a time (aws_probe.py `mutate`), the step's checks run again,
 * and each mutation must be reported with the problem it should cause; then it is undone (the
 * ones that cannot be undone run last). Each costs seconds: nothing is applied again.
 */

/** One mutation's outcome, for the report. */
export interface MutationReport {
  readonly name: string;
  readonly step: DrCycleStep;
  readonly what: string;
  readonly caught: boolean;
  /** The problem that caught it, or why it was not caught. */
  readonly problem: string;
  readonly seconds: number;
}

interface Mutation {
  readonly name: string;
  readonly what: string;
  /** The problem it must cause. */
  readonly expect: RegExp;
  /** A stack whose second plan must see it (a drift review); otherwise the read-back must. */
  readonly replan?: string;
  /** Changes the estate; returns the undo, or null when it cannot be undone (listed last). */
  readonly apply: () => Promise<(() => Promise<unknown>) | null>;
}

/** The mutations for the estate as the last step left it. */
function mutationsOf(ctx: DrillContext, step: DrCycleStep, estate: Estate): Mutation[] {
  const { config } = estate;
  const { active, passive } = activeAndPassive(config);
  const spec = observationSpec(estate);
  const mutate = (kind: string, args: Record<string, unknown>) => probe<Record<string, unknown>>(ctx, 'mutate', { kind, ...args });
  const expected = EXPECTED[step];
  // The active region's app names the writer.
  const writer = expected.regions[active.region].appDatabase;
  const retired = Object.entries(expected.regions[passive.region].databases).find(([id, source]) => source === null && id !== writer)?.[0];
  const regional = Object.keys(estate.stacks).find((name) => name.startsWith('regional-') && regionOf(estate.stacks[name]) === active.region)!;
  const appName = `${config.dns.appRecordName}.${config.dns.zoneName}`;
  const list: Mutation[] = [
    {
      name: 'active-git-server-stopped',
      what: `the Git server of the active region ${active.region} stopped`,
      expect: new RegExp(`${active.region}.*Git server is "stopped"`),
      apply: async () => {
        await mutate('git-stop', { region: active.region, name: spec.regions[active.region].git });
        return () => mutate('git-start', { region: active.region, name: spec.regions[active.region].git });
      },
    },
    {
      name: 'dns-targets-swapped',
      what: `${appName}'s PRIMARY and SECONDARY records trade targets`,
      expect: new RegExp(`DNS: ${appName.replace(/\./g, '\\.')} serves ${passive.region}`),
      apply: async () => {
        await mutate('dns-swap', { zone: config.dns.zoneName, name: appName });
        return () => mutate('dns-swap', { zone: config.dns.zoneName, name: appName });
      },
    },
    {
      name: 'app-group-on-an-old-template',
      what: `the app group of ${active.region} set back to its launch template's first version (an app naming a retired database)`,
      expect: new RegExp(`${active.region} app group launches version 1 of its template`),
      apply: async () => {
        const { before } = await mutate('asg-version', { region: active.region, asg: spec.regions[active.region].asg, version: 1 });
        return () => mutate('asg-version', { region: active.region, asg: spec.regions[active.region].asg, version: before });
      },
    },
    {
      name: 'database-setting-changed-out-of-band',
      what: `${writer}'s backup retention set to 1 day outside Terraform`,
      expect: new RegExp(`${regional}: the second plan is not empty: .*aws_db_instance`),
      replan: regional,
      apply: async () => {
        const { before } = await mutate('db-backup-retention', { region: active.region, identifier: writer, days: 1 });
        return () => mutate('db-backup-retention', { region: active.region, identifier: writer, days: before });
      },
    },
    {
      name: 'second-writer-added',
      what: `a second writer database created in ${passive.region}`,
      expect: /database nobody expects: .*-db-99 \(a writer\)/,
      apply: async () => {
        const identifier = `${databaseIdentifier(config)}-99`;
        await mutate('db-create', { region: passive.region, identifier });
        return () => mutate('db-delete', { region: passive.region, identifier });
      },
    },
    {
      name: 'lock-table-recreated',
      what: `the state lock table of ${passive.region} deleted and created again`,
      expect: new RegExp(`stateful resource replaced or destroyed: dynamodb:${passive.region}:${lockTableName(config)}`),
      apply: async () => {
        await mutate('table-recreate', { region: passive.region, table: lockTableName(config) });
        return null;
      },
    },
  ];
  if (retired) {
    list.push({
      name: 'writer-left-a-replica',
      what: `${writer} in ${active.region} replaced by a replica of ${retired} (a switch that never promoted)`,
      expect: new RegExp(`${writer} replicates arn:aws:rds:${passive.region}:\\d+:db:${retired}`),
      apply: async () => {
        await mutate('db-as-replica', { region: active.region, identifier: writer, sourceArn: `arn:aws:rds:${passive.region}:${config.accountId}:db:${retired}` });
        return null;
      },
    });
  }
  return list;
}

/** Runs every mutation after `step` (the cycle's last), undoing each that can be undone. */
export async function runMutations(ctx: DrillContext, step: DrCycleStep, position: DrPosition): Promise<{ mutations: MutationReport[]; problems: string[] }> {
  const config = configIn(ctx.input, position);
  const estate: Estate = { config, stacks: synthesizeEstate(config) as Record<string, StackJson> };
  const baseline = await probe<Record<string, string>>(ctx, 'ids', idSpec(estate));
  const clean = await verifyStep(ctx, step, estate, [], baseline);
  if (clean.problems.length) return { mutations: [], problems: [`mutations: the estate after ${step} is not clean, so no mutation can be judged: ${clean.problems.join(' ')}`] };
  const mutations: MutationReport[] = [];
  ctx.log(`\n== mutations after ${step}: each changes the estate out of band and must be caught`);
  for (const mutation of mutationsOf(ctx, step, estate)) {
    const started = Date.now();
    let undo: Awaited<ReturnType<Mutation['apply']>>;
    try {
      undo = await mutation.apply();
    } catch (error) {
      // A mutation that cannot be made proves nothing: it is reported, not caught.
      const problem = `not caught: the change could not be made: ${(error as Error).message}`;
      mutations.push({ name: mutation.name, step, what: mutation.what, caught: false, problem, seconds: Math.round((Date.now() - started) / 1000) });
      ctx.log(`  MISSED ${mutation.name}: ${problem}`);
      continue;
    }
    let problems: string[];
    if (mutation.replan) {
      const json = estate.stacks[mutation.replan];
      const result = await replan(ctx.tf, mutation.replan, drillTargets(json).map((t) => `-target=${t}`), stackRoles(config, mutation.replan, json).review);
      problems = replanProblems(mutation.replan, result);
    } else {
      problems = (await verifyStep(ctx, step, estate, [], baseline)).problems;
    }
    const hit = problems.find((p) => mutation.expect.test(p));
    if (undo) await undo();
    const report: MutationReport = {
      name: mutation.name,
      step,
      what: mutation.what,
      caught: Boolean(hit),
      problem: hit ?? `not caught: expected a problem matching ${mutation.expect}, found ${problems.length ? problems.join(' | ') : 'none'}`,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    mutations.push(report);
    ctx.log(`  ${report.caught ? 'caught' : 'MISSED'} ${mutation.name} (${report.seconds} s): ${report.problem}`);
  }
  return { mutations, problems: mutations.filter((m) => !m.caught).map((m) => `mutation ${m.name} (${m.what}) was not caught: ${m.problem}`) };
}
