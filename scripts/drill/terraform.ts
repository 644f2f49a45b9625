import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initProviders, requiredProviders, runTerraform, type TerraformResult } from '../terraform/toolchain';
import { backendConfigFile, drillOverride, drillTargets, endpointFor, type EndpointPlan, type StackJson } from './profile';

/*
 * Terraform as the drill runs it: one working folder per stack (the layout `cdktf synth`
 * writes, so the bootstrap stacks' local state lands where it would), the providers installed
 * once from the local mirror and shared, every AWS call sent to the emulator (the override
 * files of profile.ts, and an environment in which any request that is not to loopback goes
 * to a closed proxy port). Each command signs its calls with the access key of the CI role
 * that runs it in the pipelines (see {@link roleKey}), so the emulator records who did what.
 */

/** What every terraform command of a drill shares. */
export interface DrillTerraform {
  readonly terraform: string;
  readonly cliConfigFile: string;
  /** Root of the drill's files: `<workDir>/cdktf.out/stacks/<stack>`, shared providers, logs. */
  readonly workDir: string;
  /** The environment every command runs in (see {@link drillEnvironment}). */
  readonly env: NodeJS.ProcessEnv;
  /** Appends one command's output to the drill log. */
  readonly record: (title: string, result: TerraformResult) => void;
  /** Aborted when the drill is interrupted: every running terraform is stopped. */
  readonly signal?: AbortSignal;
}

/**
 * The access key id a command signs with: the CI role purpose that runs it in the pipelines and
 * the stack (`plan.regional-us-east-2`, `deploy-dns.dns-global`; `admin.<stack>` for the
 * bootstrap stacks an administrator deploys by hand). The emulator accepts any key; the
 * permission proof reads the role back from each recorded call (scripts/drill/permissions.ts).
 */
export function roleKey(purpose: string, stack: string): string {
  return `${purpose}.${stack}`;
}

/** Who runs a stack's commands: the saved plan, the apply, and the second plan (a review). */
export interface StackRoles {
  readonly plan: string;
  readonly apply: string;
  readonly review: string;
}

/**
 * The environment of the drill's terraform commands: the caller's, without any AWS setting,
 * plus the drill's own credentials (each command then signs as its role), the default endpoint
 * of any service the override files do not list (the drill: the closed port, so a service the
 * profile forgot fails loudly and a dark region stays dark for it too; tests: the emulator), and
 * a proxy on a closed loopback port for every host but 127.0.0.1, so no request can leave the
 * machine.
 */
export function drillEnvironment(base: NodeJS.ProcessEnv, emulator: string, closedEndpoint: string, unlisted: 'emulator' | 'closed' = 'emulator'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!/^(AWS_|TF_VAR_|TF_CLI_ARGS|HTTPS?_PROXY$|NO_PROXY$)/i.test(key)) env[key] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'drill',
    AWS_SECRET_ACCESS_KEY: 'drill',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: unlisted === 'closed' ? closedEndpoint : emulator,
    HTTP_PROXY: closedEndpoint,
    HTTPS_PROXY: closedEndpoint,
    http_proxy: closedEndpoint,
    https_proxy: closedEndpoint,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
}

/** A stack's working folder. */
export function stackDir(tf: DrillTerraform, stack: string): string {
  return join(tf.workDir, 'cdktf.out', 'stacks', stack);
}

const sharedInits = new Map<string, Promise<{ dir: string; result: TerraformResult }>>();
const backendInits = new Map<string, string>();

/**
 * Writes a stack as synthesized for this step, with the drill's override, and initializes it
 * (again when its backend endpoint changed). Returns the `-target` arguments of the stack.
 */
export async function prepareStack(tf: DrillTerraform, stack: string, json: StackJson, plan: EndpointPlan, accessKey?: string): Promise<string[]> {
  const dir = stackDir(tf, stack);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  writeFileSync(join(dir, 'drill_override.tf.json'), JSON.stringify(drillOverride(json, plan), null, 2));
  const providers = requiredProviders(json as Parameters<typeof requiredProviders>[0]).sort();
  const key = providers.join(',');
  if (!sharedInits.has(key)) {
    sharedInits.set(key, initProviders(tf.terraform, providers, join(tf.workDir, 'providers', String(sharedInits.size)), tf.cliConfigFile));
  }
  const shared = await sharedInits.get(key)!;
  if (shared.result.code !== 0) throw new Error(`installing ${key} from the mirror failed: ${shared.result.stderr.trim()}`);
  if (!existsSync(join(dir, '.terraform', 'providers'))) {
    mkdirSync(join(dir, '.terraform'), { recursive: true });
    symlinkSync(join(shared.dir, '.terraform', 'providers'), join(dir, '.terraform', 'providers'), 'dir');
    copyFileSync(join(shared.dir, '.terraform.lock.hcl'), join(dir, '.terraform.lock.hcl'));
  }
  const s3 = json.terraform?.backend?.s3 as { region?: string } | undefined;
  const backend = s3 ? backendConfigFile(endpointFor(plan, String(s3.region)), plan.dark?.regions.includes(String(s3.region)) ? 1 : undefined) : 'local';
  if (backendInits.get(dir) !== backend) {
    const args = ['init', '-input=false', '-no-color', '-reconfigure'];
    if (s3) {
      writeFileSync(join(dir, 'drill.s3.tfbackend'), backend);
      args.push('-backend-config=drill.s3.tfbackend');
    }
    const init = await run(tf, stack, args, accessKey);
    if (init.code !== 0) throw new Error(`${stack}: terraform init failed: ${lastLines(init)}`);
    backendInits.set(dir, backend);
  }
  return drillTargets(json).map((t) => `-target=${t}`);
}

/**
 * Moves a bootstrap stack's state from its local file into its own bucket, as docs/architecture.md's
 * bootstrap section says (`stateBackend.bootstrapStateInS3`, then `terraform init
 * -migrate-state`, as the administrator): `json` is the stack synthesized with the S3 backend.
 * Returns the plan after the move, made as a review makes it (exit 0: the moved state matches
 * the configuration).
 */
export async function migrateToS3(tf: DrillTerraform, stack: string, json: StackJson, plan: EndpointPlan, roles: Pick<StackRoles, 'apply' | 'review'>): Promise<TerraformResult> {
  const dir = stackDir(tf, stack);
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  writeFileSync(join(dir, 'drill_override.tf.json'), JSON.stringify(drillOverride(json, plan), null, 2));
  const s3 = json.terraform?.backend?.s3 as { region?: string } | undefined;
  const backend = backendConfigFile(endpointFor(plan, String(s3?.region)));
  writeFileSync(join(dir, 'drill.s3.tfbackend'), backend);
  const moved = await run(tf, stack, ['init', '-input=false', '-no-color', '-migrate-state', '-force-copy', '-backend-config=drill.s3.tfbackend'], roles.apply);
  if (moved.code !== 0) return moved;
  backendInits.set(dir, backend);
  // Planned as the drift review plans it (the CI roles' stack is reviewed like the others).
  return replan(tf, stack, drillTargets(json).map((t) => `-target=${t}`), roles.review);
}

/** Runs one terraform command in a stack's folder, signed with `accessKey`, recorded in the drill log. */
export async function run(tf: DrillTerraform, stack: string, args: readonly string[], accessKey?: string): Promise<TerraformResult> {
  const result = await runTerraform(tf.terraform, args, {
    cwd: stackDir(tf, stack),
    cliConfigFile: tf.cliConfigFile,
    env: accessKey ? { ...tf.env, AWS_ACCESS_KEY_ID: accessKey } : tf.env,
    timeoutMs: 20 * 60_000,
    signal: tf.signal,
  });
  tf.record(`${stack}: terraform ${args.filter((a) => !a.startsWith('-target=')).join(' ')}`, result);
  return result;
}

/** A terraform command left running (see {@link startTerraform}). */
export interface RunningTerraform {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  readonly output: () => string;
  /** Its exit code once it ends (137 when killed). */
  readonly closed: Promise<number>;
}

/**
 * Starts a terraform command in `dir` without waiting for it: an apply to interrupt, a session
 * that holds the state lock. In its own process group (kill it with `process.kill(-pid)`), signed
 * with `accessKey` when given; `stdin` keeps its input open for writing.
 */
export function startTerraform(tf: DrillTerraform, dir: string, args: readonly string[], options: { accessKey?: string; stdin?: boolean } = {}): RunningTerraform {
  const child = spawn(tf.terraform, [...args], {
    cwd: dir,
    env: { ...tf.env, ...(options.accessKey ? { AWS_ACCESS_KEY_ID: options.accessKey } : {}), TF_CLI_CONFIG_FILE: tf.cliConfigFile, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  const closed = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 137)));
  return { child, output: () => output, closed };
}

/**
 * A stack applied as `deploy:phase` applies it: planned to a saved plan without the state lock
 * (as the plan role), then exactly that file applied (as the stack's deploy role; the lock
 * waited for, not fought over). `refresh` false skips the plan's refresh: the drill does so only
 * when the stack's previous step ended with a refreshing second plan, and after its plan role
 * has refreshed it once (so that role's reads are judged).
 */
export async function apply(
  tf: DrillTerraform,
  stack: string,
  targets: readonly string[],
  roles?: Pick<StackRoles, 'plan' | 'apply'>,
  refresh = true,
): Promise<TerraformResult> {
  const plan = await run(tf, stack, ['plan', '-input=false', '-no-color', '-lock=false', ...(refresh ? [] : ['-refresh=false']), `-out=${SAVED_PLAN}`, ...targets], roles?.plan);
  if (plan.code !== 0) return plan;
  return run(tf, stack, ['apply', '-input=false', '-no-color', '-lock-timeout=120s', SAVED_PLAN], roles?.apply);
}

const SAVED_PLAN = 'drill.tfplan';

/**
 * `terraform plan -detailed-exitcode` as a review runs it (no lock, signed as the review's
 * role): 0 nothing to do, 2 changes, 1 error.
 */
export function replan(tf: DrillTerraform, stack: string, targets: readonly string[], accessKey?: string): Promise<TerraformResult> {
  return run(tf, stack, ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock=false', ...targets], accessKey);
}

/** The resource lines of a plan that has changes (`# aws_x.y will be updated in place`). */
export function plannedChanges(result: TerraformResult): string[] {
  return result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^# \S+ (will be|must be)/.test(l))
    .map((l) => l.slice(2));
}

/** The last lines of a failed command, for a one-line message. */
export function lastLines(result: TerraformResult, count = 6): string {
  return (result.stderr || result.stdout)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ');
}
