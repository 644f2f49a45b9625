import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'cdktf';
import { buildEstate } from '../../stacks/estate';
import { loadEstateConfig } from '../estate-config';
import { findOnPath, hasRegistryFolder, runTerraform, writeCliConfig } from '../terraform/toolchain';
import { reviewStacks, stacksInDeployOrder, summaryTable, writeReports } from './review';

/*
 * npm run drift -- [stack ...] [--parallel N] [--report-dir DIR] [--timeout-minutes N]
 *                  [--provider-mirror DIR]
 *
 * Synthesizes, then plans every stack (or the named ones) in deploy order against its real
 * state and prints a summary. Exit 0: every stack in sync; 2: drift; 1: an error (no
 * terraform, no credentials, a failed plan).
 */

const USAGE =
  'usage: npm run drift -- [stack ...] [--parallel N] [--report-dir DIR] [--timeout-minutes N] [--provider-mirror DIR]';

interface DriftOptions {
  readonly stacks: string[];
  readonly parallel: number;
  readonly reportDir: string;
  readonly timeoutMinutes: number;
  /** A local provider mirror (holding `registry.terraform.io/`), for hosts without registry access. */
  readonly providerMirror?: string;
}

function parse(argv: readonly string[], env: NodeJS.ProcessEnv): DriftOptions | string {
  const stacks: string[] = [];
  let parallel = 1;
  let reportDir = 'reports';
  let timeoutMinutes = 15;
  let providerMirror = env.TF_PROVIDER_MIRROR || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--parallel') {
      parallel = Number(value);
      if (!Number.isInteger(parallel) || parallel < 1 || parallel > 8) return `--parallel is "${value}", expected a whole number from 1 to 8.`;
      i++;
    } else if (arg === '--report-dir') {
      if (!value) return '--report-dir needs a folder.';
      reportDir = value;
      i++;
    } else if (arg === '--timeout-minutes') {
      timeoutMinutes = Number(value);
      if (!(timeoutMinutes > 0 && timeoutMinutes <= 120)) return `--timeout-minutes is "${value}", expected 1 to 120.`;
      i++;
    } else if (arg === '--provider-mirror') {
      if (!value) return '--provider-mirror needs a folder.';
      providerMirror = value;
      i++;
    } else if (arg.startsWith('-')) {
      return `unknown option "${arg}"; ${USAGE}`;
    } else {
      stacks.push(arg);
    }
  }
  if (providerMirror && !hasRegistryFolder(providerMirror)) {
    return `the provider mirror "${providerMirror}" (--provider-mirror or TF_PROVIDER_MIRROR) holds no registry.terraform.io/ folder; fill one with "terraform providers mirror <dir>".`;
  }
  return { stacks, parallel, reportDir, timeoutMinutes, providerMirror: providerMirror && resolve(providerMirror) };
}

/** Runs the drift review; returns the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const options = parse(argv, env);
  if (typeof options === 'string') {
    console.error(`drift: ${options}`);
    return 1;
  }
  const terraform = findOnPath('terraform', env.PATH ?? '');
  if (!terraform) {
    console.error(
      'drift: no terraform executable on PATH. Install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install), or OpenTofu and link it as "terraform", then run again.',
    );
    return 1;
  }
  const version = await runTerraform(terraform, ['version', '-json'], { cwd: process.cwd(), env });
  const found = /"terraform_version":\s*"(\d+)\.(\d+)/.exec(version.stdout);
  if (!found || Number(found[1]) < 1 || (Number(found[1]) === 1 && Number(found[2]) < 10)) {
    console.error(`drift: ${terraform} is not Terraform >= 1.10 (it said: ${version.stdout.trim() || version.stderr.trim()}).`);
    return 1;
  }

  const config = loadEstateConfig('drift', env);
  if (!config) return 1;
  const outdir = resolve(env.CDKTF_OUTDIR ?? 'cdktf.out');
  // A clean folder: a stale file of an earlier synth (an HCL cdk.tf beside the JSON) would be
  // read by terraform too.
  rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  buildEstate(app, config);
  app.synth();

  const ordered = stacksInDeployOrder(outdir);
  const unknown = options.stacks.filter((s) => !ordered.includes(s));
  if (unknown.length) {
    console.error(`drift: no stack named ${unknown.map((s) => `"${s}"`).join(', ')}; stacks are ${ordered.join(', ')}.`);
    return 1;
  }
  const selected = options.stacks.length ? ordered.filter((s) => options.stacks.includes(s)) : ordered;
  const cliConfigFile = options.providerMirror
    ? writeCliConfig(options.providerMirror, outdir, { registryFallback: true })
    : undefined;
  console.log(
    `drift: planning ${selected.length} stack(s) against their state (terraform ${found[1]}.${found[2]}), ${options.parallel} at a time` +
      (options.providerMirror ? `, providers from ${options.providerMirror} where it holds them` : ''),
  );
  const reviews = await reviewStacks(selected, {
    terraform,
    stacksDir: join(outdir, 'stacks'),
    parallelism: options.parallel,
    timeoutMs: options.timeoutMinutes * 60_000,
    log: (line) => console.log(line),
    env: { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
    cliConfigFile,
  });
  const nothingReviewed = reviews.every((r) => r.result === 'skipped');
  const code = nothingReviewed || reviews.some((r) => r.result === 'error') ? 1 : reviews.some((r) => r.result === 'drift') ? 2 : 0;
  const color = process.stdout.isTTY === true && !env.NO_COLOR;
  console.log(`\n${summaryTable(reviews, { color })}\n`);
  const reports = writeReports(resolve(options.reportDir), reviews, code);
  console.log(`reports: ${reports.join(', ')}`);
  const skipped = reviews.filter((r) => r.result === 'skipped').length;
  const inSync = skipped ? `every stack reviewed is in sync (${skipped} not reviewed: no state here)` : 'every stack is in sync';
  console.log(
    code === 0 ? inSync : code === 2 ? 'drift found' : nothingReviewed ? 'drift review failed: no stack could be reviewed' : 'drift review failed',
  );
  return code;
}
