import { estate } from '../../config/estate';
import { activeAndPassive, databasePlacement, drState, nextPosition, sitePosture, type DrState } from '../../config/dr';
import type { AwsRegion } from '../../config/regions';
import { resolveConfig, type EstateConfig, type EstateConfigInput, type SiteConfig } from '../../config/load';
import { quotaTable } from '../../config/quotas';
import { EXIT, helpText, parseCommandLine, runCommand, UsageError, type CommandSpec, type Parsed } from '../cli';
import { describeChangeWithValues, diffEstates } from './diff';
import { deploySteps } from './deploy-steps';
import { verifyApp } from './verify';
import { synthesizeEstate, type StackJson } from './synthesize';

/*
 * npm run dr -- status                 the DR state of the config (with DR_ACTIVE_REGION)
 * npm run dr -- plan --to <region>     failover / failback: what changes, in which order, RTO/RPO
 * npm run dr -- plan --reprotect       rebuild the passive site's database as a replica
 * npm run dr -- quotas                 the account quotas each region needs in each posture
 * npm run dr -- verify [--url URL]     after a switch: which region serves, its database role, a round trip
 *
 * Needs no terraform and no AWS: both postures are synthesized and compared.
 */

/** A usage or transition error: one sentence, exit code 2. */
export class DrCommandError extends UsageError {}

export const DR_COMMAND: CommandSpec = {
  invocation: 'npm run dr --',
  name: 'dr',
  positionals: '<status|plan|quotas|verify>',
  summary: [
    'status   the DR state of the config (DR_ACTIVE_REGION honoured)',
    'plan     --to REGION: what a failover or failback changes, in which order, RTO/RPO; --reprotect:',
    "         rebuild the passive site's database as a replica. Unsafe transitions are refused (exit 2).",
    'quotas   the account quotas each region needs in each posture',
    'verify   after a switch: which region serves, its database role, a write/read round trip',
    'Needs no terraform and no AWS, except verify (the app over HTTPS).',
  ].join('\n'),
  options: {
    to: { type: 'string', value: 'REGION', description: 'plan: make REGION the active region (failover or failback)' },
    reprotect: { type: 'boolean', description: "plan: rebuild the passive site's database as a replica of the active one" },
    url: { type: 'string', value: 'URL', description: 'verify: the app URL to check (default https://<appRecordName>.<zone>)' },
  },
  exitCodes: { ok: 'done (verify: the active region serves from its writer)', failure: 'verify found the app in the wrong region, on a replica, or not answering' },
};

/** The options each command takes. */
const COMMAND_OPTIONS: Record<string, readonly string[]> = { status: [], quotas: [], plan: ['to', 'reprotect'], verify: ['url'] };

/** What the commands read besides their arguments and environment. */
export interface DrContext {
  /** The committed config input. Default: config/estate.ts. */
  readonly committed?: EstateConfigInput;
  /** Synthesizes a config's stacks (plan compares two). Default: a fresh synthesis (./synthesize.ts). */
  readonly synthesize?: (config: EstateConfig) => Record<string, StackJson>;
}

/** Runs the command (all but verify); returns what it prints. */
export function runDrCommand(argv: readonly string[], env: NodeJS.ProcessEnv, context: DrContext = {}): string {
  const { committed = estate, synthesize = synthesizeEstate } = context;
  const parsed = parseCommandLine(DR_COMMAND, argv);
  if (parsed === 'help') return helpText(DR_COMMAND);
  const { command, values } = commandOf(parsed);
  const config = resolveConfig(committed, { activeRegionOverride: env.DR_ACTIVE_REGION });
  if (command === 'status') return status(config, committed);
  if (command === 'plan') return plan(config, planOptions(values), committed, synthesize);
  if (command === 'quotas') return quotaTable(config);
  throw new DrCommandError('verify runs through main (it is asynchronous).');
}

/** The command and its options, checked against what the command takes. */
function commandOf(parsed: Exclude<Parsed, 'help'>): { command: string; values: Record<string, unknown> } {
  const [command, ...extra] = parsed.positionals;
  if (!command) throw new DrCommandError('No command given; use "status", "plan --to <region>", "plan --reprotect", "quotas" or "verify" (npm run dr -- --help).');
  if (!(command in COMMAND_OPTIONS)) {
    throw new DrCommandError(
      `Unknown command "${command ?? ''}"; use "status", "plan --to <region>", "plan --reprotect", "quotas" or "verify".`,
    );
  }
  if (extra.length) throw new DrCommandError(`${command} takes no further arguments; got ${extra.join(' ')}.`);
  const given = Object.keys(parsed.values).filter((k) => parsed.values[k] !== undefined);
  const foreign = given.filter((k) => !COMMAND_OPTIONS[command].includes(k));
  if (foreign.length) {
    const takes = COMMAND_OPTIONS[command].length ? `takes only ${COMMAND_OPTIONS[command].map((o) => `--${o}`).join(', ')}` : 'takes no options';
    throw new DrCommandError(`${command} ${takes}; got ${foreign.map((o) => `--${o}`).join(' ')}.`);
  }
  return { command, values: parsed.values };
}

export type PlanOptions = { kind: 'switch'; to: string } | { kind: 'reprotect' };

function planOptions(values: Record<string, unknown>): PlanOptions {
  const to = values.to as string | undefined;
  if (to !== undefined && !values.reprotect) return { kind: 'switch', to };
  if (values.reprotect === true && to === undefined) return { kind: 'reprotect' };
  throw new DrCommandError('plan takes "--to <region>" or "--reprotect" (one of them).');
}

/** The config the transition leads to, or an error naming why it is not possible. */
export function targetOf(config: EstateConfig, options: PlanOptions, committed: EstateConfigInput = estate): EstateConfig {
  const { passive } = activeAndPassive(config);
  const passiveDatabase = databasePlacement(config, passive);
  const replicating = passiveDatabase.kind === 'replica';
  const state = drState(config);
  if (options.kind === 'switch') {
    const regions = [config.primary.region, config.dr.region];
    if (!regions.includes(options.to as never)) {
      throw new DrCommandError(`--to is "${options.to}", expected one of the estate's regions: ${regions.join(', ')}.`);
    }
    if (options.to === config.activeRegion) {
      throw new DrCommandError(`--to is "${options.to}", which is already the active region; nothing to switch.`);
    }
    if (!replicating) {
      throw new DrCommandError(
        `--to ${options.to} is refused in state "${state}": ${passiveDatabase.identifier} in ${passive.region} stopped replicating when ${config.activeRegion} took over and has missed every write since, so it cannot serve again; reprotect first (npm run dr -- plan --reprotect), then switch.`,
      );
    }
    return resolveConfig({ ...committed, ...nextPosition(config, 'switch', regionsOf(config)) });
  }
  if (replicating) {
    throw new DrCommandError(
      `Nothing to reprotect in state "${state}": the passive site (${passive.region}) already replicates the active one.`,
    );
  }
  return resolveConfig({ ...committed, ...nextPosition(config, 'reprotect', regionsOf(config)) });
}

function regionsOf(config: EstateConfig): { primaryRegion: AwsRegion; drRegion: AwsRegion } {
  return { primaryRegion: config.primary.region, drRegion: config.dr.region };
}


function status(config: EstateConfig, committed: EstateConfigInput): string {
  const lines = [
    `state:  ${drState(config)} (${describeState(drState(config))})`,
    `active: ${config.activeRegion}${config.activeRegionFromEnvironment ? ' (from DR_ACTIVE_REGION, not the committed config)' : ''}`,
    `switches: ${config.switches}${config.switches !== (committed.switches ?? 0) ? ' (one more than committed: the switch DR_ACTIVE_REGION makes)' : ''}, reprotects: ${config.reprotects}`,
    '',
    ...[config.primary, config.dr].flatMap((site) => siteLines(config, site)),
    `DNS: the PRIMARY app record and the monitoring name point at ${config.activeRegion}`,
  ];
  return lines.join('\n');
}

function siteLines(config: EstateConfig, site: SiteConfig): string[] {
  const { database: db, app: capacity, gitServer, serves } = sitePosture(config, site);
  const database =
    db.kind === 'replica'
      ? `replica of ${db.source?.identifier} in ${db.source?.region}`
      : db.detached
        ? 'old writer, detached (replace it with plan --reprotect)'
        : 'writer';
  return [
    `${site.region} (${site.role} site): ${serves ? 'active' : 'passive'}`,
    `  app servers: desired ${capacity.desired} (min ${capacity.min}, max ${capacity.max})`,
    `  Git server:  ${gitServer === 'running' ? 'running' : 'stopped (mirror)'}`,
    `  database:    ${db.identifier}, ${database}`,
    '',
  ];
}

function describeState(state: DrState): string {
  return {
    normal: 'the primary site serves, the DR site replicates it',
    failover: 'the DR site serves, the old primary is detached',
    reprotected: 'the DR site serves, the primary site replicates it',
    failback: 'the primary site serves again, the old DR writer is detached',
  }[state];
}

function plan(
  config: EstateConfig,
  options: PlanOptions,
  committed: EstateConfigInput,
  synthesize: (config: EstateConfig) => Record<string, StackJson>,
): string {
  const target = targetOf(config, options, committed);
  const changes = diffEstates(synthesize(config), synthesize(target));
  const from = drState(config);
  const to = drState(target);
  const out: string[] = [
    `DR plan: ${from} (active ${config.activeRegion}) -> ${to} (active ${target.activeRegion})`,
    `  ${describeState(to)}`,
    '',
    `Resource changes (${changes.length}), from synthesizing both postures:`,
    ...changes.flatMap((c) => describeChangeWithValues(c).map((line) => `  ${line}`)),
    '',
    ...deploySteps(config, target, options, [...new Set(changes.map((c) => c.stack))]),
    '',
    ...budget(config, target, options),
  ];
  return out.join('\n');
}

/** RTO and RPO, from the config's figures; the RPO names the data at risk in this transition. */
function budget(config: EstateConfig, target: EstateConfig, options: PlanOptions): string[] {
  const p = target.drPlan;
  if (options.kind === 'reprotect') {
    const { passive } = activeAndPassive(config);
    const old = databasePlacement(config, passive);
    return [
      'Budget: a reprotect serves no traffic; the new replica needs the time of an RDS cross-region',
      '  replica creation (its size), after which the database RPO is back to the replica lag.',
      `Data at risk: none is changed; ${old.identifier} in ${passive.region} (the writes it took that never`,
      `  replicated) is no longer managed but kept in AWS, deletion-protected: compare it before deleting it.`,
    ];
  }
  const from = activeAndPassive(config);
  const to = activeAndPassive(target);
  const writer = databasePlacement(config, from.active);
  const successor = databasePlacement(target, to.active);
  const planned = target.activeRegion === target.primary.region;
  const detection = p.healthCheckIntervalSeconds * p.healthCheckFailureThreshold;
  const recovery = Math.max(p.instanceWarmupSeconds, p.databasePromotionMinutes * 60);
  const dns = p.dnsTtlSeconds;
  const rto = detection + recovery + dns;
  const git = target.gitServer.backupIntervalMinutes;
  return [
    'RTO budget:',
    `  detection  ${p.healthCheckIntervalSeconds} s health-check interval x ${p.healthCheckFailureThreshold} failures = ${detection} s`,
    `  recovery   max(app warm-up ${p.instanceWarmupSeconds} s, database promotion ${p.databasePromotionMinutes} min) = ${recovery} s`,
    `  DNS        TTL ${dns} s`,
    `  total      ${rto} s (${(rto / 60).toFixed(1)} min), plus the time to run the deploys above`,
    'RPO (data at risk):',
    `  database   writes to ${writer.identifier} in ${from.active.region} not yet replicated to ${successor.identifier} in ${to.active.region}: the replica lag, ${p.expectedReplicaLagSeconds} s expected;`,
    `             they stay in ${writer.identifier} (kept, not deleted) for salvage after the reprotect`,
    `  Git        none if ${from.active.region} is reachable (its Git server's final backup is the handover); else pushes to it since its last complete backup replicated to ${to.active.region}: up to ${git} min backup interval + S3 replication lag (no SLA; usually minutes), reported by the new server`,
    ...(planned
      ? [`  planned    stop writes in ${from.active.region}, wait for ReplicaLag 0 on ${successor.identifier} and a fresh Git backup: then nothing is at risk`]
      : []),
  ];
}

/** The command line: prints the result or one-sentence error; returns the exit code. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv, context: DrContext = {}): Promise<number> {
  return runCommand(DR_COMMAND, argv, env, async (parsed) => {
    const { command, values } = commandOf(parsed);
    if (command === 'verify') return verify(values.url as string | undefined, env);
    console.log(runDrCommand(argv, env, context));
    return EXIT.ok;
  });
}

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

/** `verify [--url URL]`: exit 0 when the active region serves from its writer, 1 otherwise. */
async function verify(url: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  if (url !== undefined && !/^https?:$/.test(protocolOf(url))) {
    throw new DrCommandError(`--url is "${url}", expected an http(s) URL such as https://app.example.org.`);
  }
  const config = resolveConfig(estate, { activeRegionOverride: env.DR_ACTIVE_REGION });
  const result = await verifyApp(config, url);
  for (const line of result.lines) console.log(line);
  for (const problem of result.problems) console.error(`dr verify: ${problem}`);
  return result.problems.length ? EXIT.failure : EXIT.ok;
}
