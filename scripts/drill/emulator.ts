import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/*
 * The AWS emulator the DR drill applies the estate to: moto_server, started through
 * `moto_launcher.py` (two RDS fixes and one Route 53 fix, each explained there), bound to 127.0.0.1 only, on a free
 * port, and stopped by its PID on every exit path.
 */

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:<port>`: every AWS endpoint of the drill's providers. */
  readonly endpoint: string;
  /** Process id of the server. */
  readonly pid: number;
  /** moto's version. */
  readonly version: string;
  /** Stops the server (idempotent); resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /**
   * Python interpreter that has moto installed.
   * @default 'python3'
   */
  readonly python?: string;
  /**
   * How long to wait for the server to answer. Importing moto takes about 6 s on a loaded
   * 2-core machine, and CI starts four emulators at once (two drills, each with its Git data
   * drill's): four took 54 s together there.
   * @default 120000
   */
  readonly startTimeoutMs?: number;
  /**
   * The AWS account the emulator answers as (STS, every ARN), so a provider's
   * `allowed_account_ids` works as configured.
   * @default moto's own, 123456789012
   */
  readonly accountId?: string;
  /**
   * Records every request into this file, one JSON line each (moto_launcher.py, 4.): who signed
   * it and what it asked, for the permission proof.
   * @default - nothing recorded
   */
  readonly recordCallsTo?: string;
}

/** What moto needs to emulate what the estate uses (see shared EMULATOR.md). */
const EMULATOR_ENV = {
  // Attaching AWS managed policies (SSM core, EKS) fails without them.
  MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
  // Certificates are otherwise pending for 60 s.
  MOTO_ACM_VALIDATION_WAIT: '0',
};

/** moto cannot be run with the given python: a missing tool (the drill exits 2). */
export class EmulatorMissing extends Error {}

/** Starts the emulator; throws {@link EmulatorMissing}, in one sentence, when moto is not installed. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const python = options.python ?? 'python3';
  // Asynchronously: the import takes seconds, and the drill starts its Git data drill's emulator beside its applies.
  const probe = await new Promise<{ ok: boolean; stdout: string; stderr: string; error?: Error }>((resolve) =>
    execFile(python, ['-c', 'import moto.server, moto.rds.models; print(moto.__version__)'], { encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ ok: !error, stdout, stderr, error: error ?? undefined }),
    ),
  );
  if (!probe.ok) {
    throw new EmulatorMissing(
      `moto_server is not installed for ${python} (the drill's AWS emulator, moto 5.2.1, comes with this kind of machine and cannot be installed from here): ${(probe.stderr || String(probe.error ?? '')).trim().split('\n').pop()}`,
    );
  }
  const port = await freeLoopbackPort();
  const launcher = drillScript('moto_launcher.py');
  const child = spawn(python, [launcher, String(port)], {
    env: {
      ...process.env,
      ...EMULATOR_ENV,
      ...(options.accountId ? { MOTO_ACCOUNT_ID: options.accountId } : {}),
      ...(options.recordCallsTo ? { DRILL_CALLS_FILE: options.recordCallsTo } : {}),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    process.removeListener('exit', killOnExit);
  };
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      return { endpoint, pid: child.pid!, version: probe.stdout.trim(), stop };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const timedOut = child.exitCode === null && child.signalCode === null;
  await stop();
  throw new Error(`moto_server did not answer on ${endpoint}${timedOut ? ` within ${timeoutMs / 1000} s` : ''}: ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
}

/** A file of scripts/drill: beside this module, or (when bundled by run-ts) under the project root. */
export function drillScript(name: string): string {
  const here = join(__dirname, name);
  return existsSync(here) ? here : join(process.cwd(), 'scripts', 'drill', name);
}

/** A port nothing listens on, on 127.0.0.1. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

