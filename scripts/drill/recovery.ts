import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { runTerraform, terraformErrors, type TerraformResult } from '../terraform/toolchain';
import type { DrillContext } from './drill';
import { backendConfigFile } from './profile';
import { startTerraform } from './terraform';

/*
 * The runbook's recovery from a deploy that died half-way, drilled on the emulator with the
 * estate's own backend settings (the primary's state bucket and lock table):
 *   - an apply killed outright (SIGKILL, as a lost runner): its lock stays, the next plan is
 *     refused with "Error acquiring the state lock"; `terraform force-unlock -force <ID>` (the ID
 *     that error prints), then the apply again, ends in an empty plan;
 *   - an apply that loses the state backend after changing things: Terraform writes what it
 *     did to `errored.tfstate` and cannot release its lock; once the backend answers again,
 *     `terraform force-unlock -force <ID>` and `terraform state push errored.tfstate` put the
 *     changes in the state, and the plan is empty (nothing is created twice).
 * The backend's loss is a loopback proxy in front of the emulator, closed mid-apply.
 */

/** Attempts per backend call in the recovery probes (the S3 backend's `max_retries`, which the AWS SDK counts as attempts). */
export const RECOVERY_BACKEND_ATTEMPTS = 3;

/** What the recovery drill saw. */
export interface RecoveryReport {
  /** After the killed apply, the next plan was refused on the lock left behind. */
  readonly killedLockRefused: boolean;
  /** force-unlock with the ID the refusal printed, then the apply again: an empty plan after. */
  readonly killedRecovered: boolean;
  /** The apply that lost its backend wrote errored.tfstate. */
  readonly erroredStateWritten: boolean;
  /** force-unlock and state push errored.tfstate: the state holds the change, the plan is empty. */
  readonly erroredStateRecovered: boolean;
  readonly problems: readonly string[];
  readonly seconds: number;
}

/** The lock ID Terraform prints when it cannot acquire a held lock ("Lock Info: ID: ..."). */
export function lockIdOf(output: string): string | undefined {
  return /Lock Info:\s*\n\s*ID:\s+([0-9a-f-]{36})/.exec(output)?.[1];
}

/** A TCP proxy on 127.0.0.1 to the emulator that can be cut (every connection dropped, new ones refused) and restored. */
class Cuttable {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly target: URL) {}

  async open(port = 0): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    return (server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

export async function recoveryChecks(ctx: DrillContext, primary: Readonly<Record<string, unknown>>): Promise<RecoveryReport> {
  const started = Date.now();
  const problems: string[] = [];
  const root = join(ctx.tf.workDir, 'recovery');
  const tf = (dir: string, args: string[]): Promise<TerraformResult> =>
    runTerraform(ctx.tf.terraform, args, { cwd: dir, env: ctx.tf.env, cliConfigFile: ctx.tf.cliConfigFile, timeoutMs: 5 * 60_000, signal: ctx.tf.signal }).then((r) => {
      ctx.tf.record(`recovery/${dir.split('/').pop()}: terraform ${args.join(' ')}`, r);
      return r;
    });
  const probe = (name: string, endpoint: string, command: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'drill.s3.tfbackend'), backendConfigFile(endpoint));
    // Few retries: a backend that stopped answering is given up on in seconds, not minutes. Not
    // one: a single attempt fails on the emulator's occasional dropped keep-alive connection
    // ("use of closed network connection"), which the SDK's retry exists to absorb.
    const backend = { s3: { ...primary, key: `drill/recovery-${name}.tfstate`, max_retries: RECOVERY_BACKEND_ATTEMPTS } };
    const marker = join(dir, 'started');
    const provisioner = { 'local-exec': { command: `if [ -e '${marker}' ]; then exit 0; fi; touch '${marker}'; ${command}` } };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { backend }, resource: { terraform_data: { change: { input: name, provisioner: [provisioner] } } } }, null, 2));
    return { dir, marker };
  };
  const init = (dir: string) => tf(dir, ['init', '-input=false', '-no-color', '-backend-config=drill.s3.tfbackend']);
  /** Starts an apply, waits for its provisioner to start, then `during` (which ends it one way or another). */
  const applyWhile = async (dir: string, marker: string, during: (pid: number) => Promise<void>): Promise<TerraformResult> => {
    const { child, output, closed } = startTerraform(ctx.tf, dir, ['apply', '-auto-approve', '-input=false', '-no-color']);
    const deadline = Date.now() + 120_000;
    while (!existsSync(marker) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    await during(child.pid!);
    const code = await closed;
    const result = { code, stdout: output(), stderr: '' };
    ctx.tf.record(`recovery/${dir.split('/').pop()}: terraform apply (interrupted)`, result);
    return result;
  };
  /** The runbook's steps: the lock's ID from the refusal, force-unlock, then `after`, then an empty plan. */
  const unlockAnd = async (dir: string, what: string, after: () => Promise<TerraformResult>) => {
    const refused = await tf(dir, ['plan', '-input=false', '-no-color', '-lock-timeout=0s']);
    const id = lockIdOf(refused.stdout + refused.stderr);
    const lockRefused = refused.code !== 0 && /Error acquiring the state lock/.test(refused.stdout + refused.stderr) && id !== undefined;
    if (!lockRefused) problems.push(`${what}: the next plan was not refused on the lock left behind (exit ${refused.code})`);
    const unlocked = id ? await tf(dir, ['force-unlock', '-force', id]) : undefined;
    if (unlocked && unlocked.code !== 0) problems.push(`${what}: terraform force-unlock -force ${id} failed: ${terraformErrors(unlocked)}`);
    const resumed = await after();
    if (resumed.code !== 0) problems.push(`${what}: the recovery step failed: ${terraformErrors(resumed)}`);
    const empty = await tf(dir, ['plan', '-detailed-exitcode', '-input=false', '-no-color']);
    if (empty.code !== 0) problems.push(`${what}: the plan after the recovery is not empty (exit ${empty.code}): ${terraformErrors(empty)}`);
    return { lockRefused, recovered: lockRefused && unlocked?.code === 0 && resumed.code === 0 && empty.code === 0 };
  };

  // 1. A killed apply.
  const killed = probe('killed', ctx.emulator, 'sleep 120');
  let killedLockRefused = false;
  let killedRecovered = false;
  if ((await init(killed.dir)).code !== 0) problems.push('the killed-apply probe could not be initialized');
  else {
    await applyWhile(killed.dir, killed.marker, async (pid) => void process.kill(-pid, 'SIGKILL'));
    const outcome = await unlockAnd(killed.dir, 'a killed apply', () => tf(killed.dir, ['apply', '-auto-approve', '-input=false', '-no-color']));
    [killedLockRefused, killedRecovered] = [outcome.lockRefused, outcome.recovered];
  }

  // 2. An apply that loses its backend: errored.tfstate.
  const proxy = new Cuttable(new URL(ctx.emulator));
  const port = await proxy.open();
  const cut = probe('errored', `http://127.0.0.1:${port}`, 'sleep 3');
  let erroredStateWritten = false;
  let erroredStateRecovered = false;
  if ((await init(cut.dir)).code !== 0) problems.push('the errored-state probe could not be initialized');
  else {
    const lost = await applyWhile(cut.dir, cut.marker, () => proxy.cut());
    erroredStateWritten = lost.code !== 0 && existsSync(join(cut.dir, 'errored.tfstate'));
    if (!erroredStateWritten) problems.push(`an apply that lost its backend did not write errored.tfstate (exit ${lost.code}): ${terraformErrors(lost)}`);
    await proxy.open(port);
    if (erroredStateWritten) {
      const outcome = await unlockAnd(cut.dir, 'an apply that lost its backend', () => tf(cut.dir, ['state', 'push', 'errored.tfstate']));
      erroredStateRecovered = outcome.recovered;
    }
  }
  await proxy.cut();
  const seconds = Math.round((Date.now() - started) / 1000);
  ctx.log(
    `recovery: killed apply's lock refused ${killedLockRefused}, recovered ${killedRecovered}; errored.tfstate written ${erroredStateWritten}, recovered ${erroredStateRecovered} (${seconds} s)`,
  );
  for (const p of problems) ctx.log(`  PROBLEM recovery: ${p}`);
  return { killedLockRefused, killedRecovered, erroredStateWritten, erroredStateRecovered, problems, seconds };
}
