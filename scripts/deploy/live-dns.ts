import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EstateConfig } from '../../config/load';
import { DNS_STACK_NAME, LIVE_DNS_OUTPUT, RENAMED_STACKS, stateKey } from '../../config/naming';
import { UsageError } from '../cli';
import { backendFolder, parseState, s3BackendOf } from '../terraform/state';
import { runTerraform } from '../terraform/toolchain';

/*
 * The live-DNS guard, on every plan of every trigger. A run without an explicit region choice
 * deploys the committed activeRegion; after a switch made by override alone (DR_ACTIVE_REGION on
 * a manual dispatch), the live DNS serves the other region, and such a run (a push, the nightly
 * run, a dispatch left at "committed") would move it back without anyone deciding to. So every
 * plan first reads what the DNS stack last deployed (its `active_region` output, from its state
 * in the DR region) and refuses when the committed value disagrees: commit the switch first
 * (activeRegion and switches, as `npm run dr -- status` prints them). Only an explicit region
 * choice (DR_ACTIVE_REGION) deploys another region than the live one, and the plan says so.
 * A DNS stack with no state yet whose old name (config/naming.ts RENAMED_STACKS) still holds
 * one is an upgrade whose state move was not run: deploying it would create its records and
 * health checks a second time, so the plan is refused until `npm run state:move` has run.
 */

/**
 * What the DNS stack's state says the live DNS serves; undefined when it has no such output yet.
 * `texts` is the synthesized estate (the DNS stack's configuration locates its state).
 */
export async function liveActiveRegion(
  texts: Readonly<Record<string, string>>,
  terraform: string,
  workDir: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 10 * 60_000,
): Promise<string | undefined> {
  const dir = join(workDir, DNS_STACK_NAME);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), texts[DNS_STACK_NAME]);
  const options = { cwd: dir, env: { ...env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' }, timeoutMs };
  const init = await runTerraform(terraform, ['init', '-input=false', '-no-color'], options);
  if (init.code !== 0) throw new Error(`could not read the DNS stack's state (terraform init exited ${init.code}): ${lastLine(init.stderr || init.stdout)}`);
  const output = await runTerraform(terraform, ['output', '-json', '-no-color'], options);
  if (output.code !== 0) throw new Error(`could not read the DNS stack's outputs (terraform output exited ${output.code}): ${lastLine(output.stderr || output.stdout)}`);
  const outputs = JSON.parse(output.stdout || '{}') as Record<string, { value?: unknown }>;
  const value = outputs[LIVE_DNS_OUTPUT]?.value;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Why a deploy must not go ahead, or undefined when it may. `override` is the explicit region
 * choice (DR_ACTIVE_REGION), when there is one: it may move the live DNS, and nothing else may.
 */
export function liveDnsGuardProblem(config: EstateConfig, live: string | undefined, override: string | undefined): string | undefined {
  if (override || live === undefined || live === config.activeRegion) return undefined;
  return (
    `the live DNS serves ${live} (the DNS stack was last deployed with it, by an override), but this run deploys the committed ` +
    `activeRegion ${config.activeRegion} and would move it back. Commit the switch first (activeRegion: "${live}" and its switches, ` +
    'as npm run dr -- status prints them), or choose the region explicitly (active_region on a manual dispatch).'
  );
}

/** The last non-empty line of a command's output (a one-line reason). */
export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '(no output)';
}

/** The DNS stack's name before a rename whose state key still holds a state, if any. */
export async function unmovedDnsState(
  config: EstateConfig,
  texts: Readonly<Record<string, string>>,
  terraform: string,
  workDir: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const backend = s3BackendOf(texts[DNS_STACK_NAME]);
  if (!backend) return undefined;
  for (const old of Object.keys(RENAMED_STACKS).filter((name) => RENAMED_STACKS[name] === DNS_STACK_NAME)) {
    const folder = await backendFolder(terraform, join(workDir, old), { ...backend, key: stateKey(config, old) }, { env, timeoutMs: 10 * 60_000 });
    if (folder.init.code !== 0) throw new Error(`could not read ${old}'s state (terraform init exited ${folder.init.code}): ${lastLine(folder.init.stderr || folder.init.stdout)}`);
    const pulled = await folder.run(['state', 'pull']);
    if (pulled.code !== 0) throw new Error(`could not read ${old}'s state (terraform state pull exited ${pulled.code}): ${lastLine(pulled.stderr || pulled.stdout)}`);
    if (parseState(pulled.stdout)) return old;
  }
  return undefined;
}

/** Refuses (exit 2, nothing deployed) a deploy whose active region is not what the live DNS serves. */
export async function guardLiveDns(config: EstateConfig, texts: Readonly<Record<string, string>>, terraform: string, env: NodeJS.ProcessEnv, workDir: string): Promise<void> {
  const live = await liveActiveRegion(texts, terraform, join(workDir, 'deploy-guard'), env);
  const unmoved = live === undefined ? await unmovedDnsState(config, texts, terraform, join(workDir, 'deploy-guard'), env) : undefined;
  if (unmoved) {
    throw new UsageError(
      `${DNS_STACK_NAME} has no state yet, but ${unmoved}, its name before the rename, has one: move it first (npm run state:move -- ${unmoved} ${DNS_STACK_NAME}; ` +
        'docs/runbook.md, "Upgrading across a stack rename"), or this deploy would create its records and health checks a second time.',
    );
  }
  const override = env.DR_ACTIVE_REGION || undefined;
  const problem = liveDnsGuardProblem(config, live, override);
  if (problem) throw new UsageError(problem);
  const serves = `the live DNS serves ${live ?? 'nothing yet (no DNS stack deployed)'}`;
  if (override && live !== undefined && live !== override) console.log(`deploy: ${serves}; this deploy MOVES it to ${override}, by the explicit region choice DR_ACTIVE_REGION=${override}`);
  else if (override) console.log(`deploy: ${serves}; this deploy keeps it on ${override}, by the explicit region choice DR_ACTIVE_REGION=${override}`);
  else console.log(`deploy: ${serves}; this deploy keeps it on ${config.activeRegion}`);
}
