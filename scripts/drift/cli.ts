import { accessSync, constants, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { App } from 'cdktf';
import { buildEstate } from '../../stacks/estate';
import { estate } from '../../config/estate';
import { resolveConfig, sitesOf, type EstateConfig } from '../../config/load';
import { stackName } from '../../config/naming';
import { EXIT, runCommand, UsageError, wholeNumber, type CommandSpec } from '../cli';
import { secretsOpenedAtPlan, type PlannedStackJson } from '../terraform/secrets';
import { findOnPath, hasRegistryFolder, runTerraform, writeCliConfig } from '../terraform/toolchain';
import { summaryTable, writeReports } from './report';
import { reviewStacks, stacksInDeployOrder, type StackReview } from './review';
import { deploySequence } from '../deploy/order';

export const DRIFT_COMMAND: CommandSpec = {
  invocation: 'npm run drift --',
  name: 'drift',
  positionals: '[stack ...]',
  summary: [
    'Synthesizes, then plans every stack (or the named ones) in deploy order against its real state,',
    'and prints a summary; writes drift.md and drift.json into the report folder. Needs terraform >= 1.11',
    'and AWS credentials for the account.',
  ].join('\n'),
  options: {
    parallel: { type: 'string', value: 'N', description: 'stacks planned at once, 1 to 8 (default 1)' },
    secrets: {
      type: 'string',
      value: 'include|skip|only',
      description:
        'the stacks whose plan opens a secret: reviewed with the rest (include, the default), left out (skip: a pull request\'s review role) or alone (only: the approved plan job)',
    },
    'report-dir': { type: 'string', value: 'DIR', description: 'where drift.md and drift.json go (default reports)' },
    'timeout-minutes': { type: 'string', value: 'N', description: 'bound on each terraform command, 1 to 120 (default 15)' },
    'provider-mirror': {
      type: 'string',
      value: 'DIR',
      description: 'install providers from this mirror (holding registry.terraform.io/), the rest from the registry; default TF_PROVIDER_MIRROR',
    },
  },
  exitCodes: { ok: 'every stack reviewed is in sync', failure: 'drift, or a stack could not be planned (the report says which)' },
};

/** Which stacks a review takes, by whether planning them opens a secret. */
type SecretsMode = 'include' | 'skip' | 'only';

interface DriftOptions {
  readonly stacks: string[];
  readonly secrets: SecretsMode;
  readonly parallel: number;
  readonly reportDir: string;
  readonly timeoutMinutes: number;
  /** A local provider mirror (holding `registry.terraform.io/`), for hosts without registry access. */
  readonly providerMirror?: string;
}

function parse({ values, positionals }: { values: Record<string, unknown>; positionals: string[] }, env: NodeJS.ProcessEnv): DriftOptions {
  const parallel = wholeNumber('parallel', values.parallel as string | undefined, 1, 1, 8);
  const timeoutMinutes = wholeNumber('timeout-minutes', values['timeout-minutes'] as string | undefined, 15, 1, 120);
  const providerMirror = (values['provider-mirror'] as string | undefined) ?? (env.TF_PROVIDER_MIRROR || undefined);
  if (providerMirror && !hasRegistryFolder(providerMirror)) {
    throw new UsageError(
      `the provider mirror "${providerMirror}" (--provider-mirror or TF_PROVIDER_MIRROR) holds no registry.terraform.io/ folder; fill one with "terraform providers mirror <dir>".`,
    );
  }
  const secrets = (values.secrets as string | undefined) ?? 'include';
  if (!['include', 'skip', 'only'].includes(secrets)) throw new UsageError(`--secrets is "${secrets}", expected include, skip or only.`);
  const reportDir = resolve((values['report-dir'] as string | undefined) ?? 'reports');
  writableFolder('--report-dir', reportDir);
  return { stacks: positionals, secrets: secrets as SecretsMode, parallel, reportDir, timeoutMinutes, providerMirror: providerMirror && resolve(providerMirror) };
}

/**
 * Checks, before anything runs, that a folder is or can become a writable folder (without
 * creating it): a report that cannot be written would otherwise be found out after every plan.
 * Special file systems (/proc, /sys, /dev) are refused by path: they do not hold folders.
 */
function writableFolder(option: string, dir: string): void {
  if (/^\/(proc|sys|dev)(\/|$)/.test(dir)) throw new UsageError(`${option} is "${dir}", a special file system; name an ordinary folder.`);
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const problem = !statSync(existing).isDirectory() ? 'ENOTDIR' : !canWrite(existing) ? 'EACCES' : undefined;
  if (problem) throw new UsageError(`${option} is "${dir}", which cannot be written (${problem}); name a folder you can write to.`);
}

function canWrite(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** What the review does besides planning. */
export interface DriftContext {
  /** Synthesizes the estate of a config into an empty output folder. Default: {@link synthesizeApp}. */
  readonly synthesize?: (outdir: string, config: EstateConfig) => void;
}

/** Synthesizes the estate of a config into an output folder, as `npm run synth` does. */
export function synthesizeApp(outdir: string, config: EstateConfig): void {
  const app = new App({ outdir });
  buildEstate(app, config);
  app.synth();
}

/**
 * After a failover (or a failback) the region left behind may be dark: a plan of its stacks
 * fails on a connection, not on drift. Those stacks (the deploy's steps left behind) are reported
 * as not reviewed, saying why, instead of failing every review until the region is back.
 */
function tolerateDarkRegion(reviews: readonly StackReview[], config: EstateConfig): StackReview[] {
  const steps = deploySequence(config).filter((s) => s.leftBehind);
  // The region's bootstrap stack keeps its state there too (stateBackend.bootstrapStateInS3).
  const bootstraps = sitesOf(config).filter((site) => steps.some((s) => s.stack.endsWith(`-${site.region}`))).map((site) => [stackName('bootstrap', site.region), steps[0]?.bestEffortReason] as const);
  const passive = new Map([...steps.map((s) => [s.stack, s.bestEffortReason] as const), ...bootstraps]);
  return reviews.map((r) =>
    r.result === 'error' && passive.has(r.stack)
      ? { ...r, result: 'skipped', error: undefined, reason: `could not be planned, and its region is the one the estate switched away from (${passive.get(r.stack)}): ${r.error}` }
      : r,
  );
}

/** Runs the drift review; returns the exit code. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv, context: DriftContext = {}): Promise<number> {
  return runCommand(DRIFT_COMMAND, argv, env, (parsed) => drift(parse(parsed, env), env, context.synthesize ?? synthesizeApp));
}

async function drift(options: DriftOptions, env: NodeJS.ProcessEnv, synthesize: (outdir: string, config: EstateConfig) => void): Promise<number> {
  const terraform = findOnPath('terraform', env.PATH ?? '');
  if (!terraform) {
    throw new UsageError(
      'no terraform executable on PATH. Install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install), or OpenTofu and link it as "terraform", then run again.',
    );
  }
  const version = await runTerraform(terraform, ['version', '-json'], { cwd: process.cwd(), env });
  const found = /"terraform_version":\s*"(\d+)\.(\d+)/.exec(version.stdout);
  if (!found || Number(found[1]) < 1 || (Number(found[1]) === 1 && Number(found[2]) < 11)) {
    throw new UsageError(`${terraform} is not Terraform >= 1.11 (it said: ${version.stdout.trim() || version.stderr.trim()}).`);
  }

  const config = resolveConfig(estate, { activeRegionOverride: env.DR_ACTIVE_REGION });
  const outdir = resolve(env.CDKTF_OUTDIR ?? 'cdktf.out');
  // A clean folder: a stale file of an earlier synth (an HCL cdk.tf beside the JSON) would be
  // read by terraform too.
  rmSync(outdir, { recursive: true, force: true });
  synthesize(outdir, config);

  const ordered = stacksInDeployOrder(outdir);
  const unknown = options.stacks.filter((s) => !ordered.includes(s));
  if (unknown.length) {
    throw new UsageError(`no stack named ${unknown.map((s) => `"${s}"`).join(', ')}; stacks are ${ordered.join(', ')}.`);
  }
  const named = options.stacks.length ? ordered.filter((s) => options.stacks.includes(s)) : ordered;
  const opens = new Map(named.map((s) => [s, secretsOpenedAtPlan(JSON.parse(readFileSync(join(outdir, 'stacks', s, 'cdk.tf.json'), 'utf8')) as PlannedStackJson)]));
  const selected = named.filter((s) => (options.secrets === 'include' ? true : options.secrets === 'skip' ? !opens.get(s) : Boolean(opens.get(s))));
  for (const stack of named.filter((s) => !selected.includes(s))) {
    console.log(
      options.secrets === 'skip'
        ? `drift: not reviewed here: ${stack}: planning it opens a secret (${opens.get(stack)}); the plan role reviews it (--secrets only)`
        : `drift: not reviewed here: ${stack}: planning it opens no secret; the review role reviews it (--secrets skip)`,
    );
  }
  const cliConfigFile = options.providerMirror
    ? writeCliConfig(options.providerMirror, outdir, { registryFallback: true })
    : undefined;
  console.log(
    `drift: planning ${selected.length} stack(s) against their state (terraform ${found[1]}.${found[2]}), ${options.parallel} at a time` +
      (options.providerMirror ? `, providers from ${options.providerMirror} where it holds them` : ''),
  );
  const reviewed = await reviewStacks(selected, {
    terraform,
    stacksDir: join(outdir, 'stacks'),
    parallelism: options.parallel,
    timeoutMs: options.timeoutMinutes * 60_000,
    log: (line) => console.log(line),
    env: { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
    cliConfigFile,
  });
  const reviews = tolerateDarkRegion(reviewed, config);
  const nothingReviewed = reviews.every((r) => r.result === 'skipped');
  const failed = nothingReviewed || reviews.some((r) => r.result === 'error');
  const drifted = reviews.some((r) => r.result === 'drift');
  const code = failed || drifted ? EXIT.failure : EXIT.ok;
  const color = process.stdout.isTTY === true && !env.NO_COLOR;
  console.log(`\n${summaryTable(reviews, { color })}\n`);
  const reports = writeReports(options.reportDir, reviews, code);
  console.log(`reports: ${reports.join(', ')}`);
  const skipped = reviews.filter((r) => r.result === 'skipped').length;
  const inSync = skipped ? `every stack reviewed is in sync (${skipped} not reviewed: no state here)` : 'every stack is in sync';
  console.log(
    !failed && !drifted ? inSync : !failed ? 'drift found' : nothingReviewed ? 'drift review failed: no stack could be reviewed' : `drift review failed${drifted ? ' (and drift found)' : ''}`,
  );
  return code;
}
