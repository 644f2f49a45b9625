import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/*
 * Finds the terraform binary and a local provider mirror, and writes the CLI config that
 * makes terraform install providers from that mirror only: validation and offline plans
 * need no network. Nothing machine-specific is committed; the mirror comes from
 * TF_PROVIDER_MIRROR or from the usual plugin folders.
 */


/** What this machine offers for running terraform offline. */
export interface Toolchain {
  /** Absolute path of the terraform executable, if one is on PATH. */
  readonly terraform?: string;
  /** Folder holding `registry.terraform.io/...`, if one was found. */
  readonly mirror?: string;
  /** Providers in the mirror, as `registry.terraform.io/<namespace>/<type>@<version>`. */
  readonly providers: ReadonlySet<string>;
  /** Why a tool is missing, for the skip message; empty when both were found. */
  readonly missing: readonly string[];
}

/** Default plugin folders terraform itself searches (see "Implied Local Mirror Directories"). */
function mirrorCandidates(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME ?? homedir();
  const xdg = env.XDG_DATA_HOME ?? join(home, '.local', 'share');
  return [
    join(home, '.terraform.d', 'plugins'),
    join(xdg, 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
    '/opt/tf-plugins',
  ];
}

/** Finds terraform on PATH and a provider mirror. */
export function detectToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  const missing: string[] = [];
  const terraform = findOnPath('terraform', env.PATH ?? '');
  if (!terraform) missing.push('no terraform executable on PATH (install Terraform >= 1.11)');

  let mirror: string | undefined;
  if (env.TF_PROVIDER_MIRROR) {
    mirror = hasRegistryFolder(env.TF_PROVIDER_MIRROR) ? env.TF_PROVIDER_MIRROR : undefined;
    if (!mirror) {
      missing.push(`TF_PROVIDER_MIRROR is "${env.TF_PROVIDER_MIRROR}", which has no registry.terraform.io folder`);
    }
  } else {
    mirror = mirrorCandidates(env).find(hasRegistryFolder);
    if (!mirror) {
      missing.push(
        `no provider mirror (set TF_PROVIDER_MIRROR to a folder holding registry.terraform.io/, or fill one with "terraform providers mirror"; looked in ${mirrorCandidates(env).join(', ')})`,
      );
    }
  }
  return { terraform, mirror, providers: mirror ? listMirror(mirror) : new Set(), missing };
}

export function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when `dir` is a provider mirror: it holds a `registry.terraform.io/` folder. */
export function hasRegistryFolder(dir: string): boolean {
  return existsSync(join(dir, 'registry.terraform.io'));
}

/** Lists the providers of a mirror, unpacked (`<type>/<version>/<os_arch>/`) or packed (`.zip`). */
export function listMirror(mirror: string): Set<string> {
  const found = new Set<string>();
  const host = join(mirror, 'registry.terraform.io');
  const dirs = (p: string) =>
    existsSync(p) ? readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
  for (const namespace of dirs(host)) {
    for (const type of dirs(join(host, namespace))) {
      const typeDir = join(host, namespace, type);
      for (const entry of readdirSync(typeDir, { withFileTypes: true })) {
        if (entry.isDirectory()) {
          found.add(`registry.terraform.io/${namespace}/${type}@${entry.name}`);
        } else {
          const packed = new RegExp(`^terraform-provider-${type}_([^_]+)_`).exec(entry.name);
          if (packed) found.add(`registry.terraform.io/${namespace}/${type}@${packed[1]}`);
        }
      }
    }
  }
  return found;
}

/** `aws` -> `registry.terraform.io/hashicorp/aws`, as terraform expands a short source. */
export function providerAddress(source: string): string {
  const parts = source.split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts[0]}/${parts[1]}`;
  return source;
}

/** The providers a synthesized stack requires, as `address@version`. */
export function requiredProviders(stackJson: {
  terraform?: { required_providers?: Record<string, { source?: string; version?: string }> };
}): string[] {
  return Object.entries(stackJson.terraform?.required_providers ?? {}).map(
    ([name, p]) => `${providerAddress(p.source ?? name)}@${p.version ?? ''}`,
  );
}

/**
 * Writes a terraform CLI config (`<dir>/terraformrc`) that installs providers from a local
 * mirror; returns its path. By default only from the mirror, so nothing is downloaded (offline
 * checks); with `registryFallback`, the providers the mirror holds come from it and any other
 * from its registry as usual (a drift review on a host without registry access).
 */
export function writeCliConfig(mirror: string, dir: string, options: { readonly registryFallback?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'terraformrc');
  let include = '';
  let exclude = '["*/*/*"]';
  if (options.registryFallback) {
    const held = [...new Set([...listMirror(mirror)].map((p) => p.split('@')[0]))].sort();
    if (!held.length) throw new Error(`no providers in ${mirror}: expected registry.terraform.io/<namespace>/<type>/ inside`);
    include = `\n    include = ${JSON.stringify(held)}`;
    exclude = JSON.stringify(held);
  }
  writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}${include}\n  }\n  direct {\n    exclude = ${exclude}\n  }\n}\n`,
  );
  return file;
}

/** Result of one terraform command. */
export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the command was killed for running past its timeout. */
  readonly timedOut?: boolean;
}

/**
 * What went wrong, in one line: Terraform's own error lines ("Error: ...", "Error message: ..."),
 * without the box drawing around them, or its last `fallbackLines` lines when it printed none.
 */
export function terraformErrors(result: Pick<TerraformResult, 'stdout' | 'stderr'>, fallbackLines = 4): string {
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.replace(/^[│╷╵]\s*/, '').trim()).filter(Boolean);
  const errors = lines.filter((l) => /^Error( message)?:/.test(l));
  return (errors.length ? errors : lines.slice(-fallbackLines)).join(' | ') || '(no output)';
}

/**
 * Runs terraform in a folder, never prompting. `cliConfigFile` (the offline mirror's) replaces
 * the caller's CLI config when given. Terraform runs in its own process group: a timeout, or
 * aborting `signal`, stops the whole group (terraform and its provider plugins), not terraform
 * alone (SIGTERM, then SIGKILL 5 s later).
 */
export function runTerraform(
  terraform: string,
  args: readonly string[],
  options: {
    cwd: string;
    cliConfigFile?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    signal?: AbortSignal;
    /** Called with the output as it comes (an apply's progress in a pipeline's log); it is also returned. */
    onOutput?: (text: string) => void;
  },
): Promise<TerraformResult> {
  return new Promise((resolve) => {
    const child = spawn(terraform, [...args], {
      cwd: options.cwd,
      env: {
        ...(options.env ?? process.env),
        ...(options.cliConfigFile ? { TF_CLI_CONFIG_FILE: options.cliConfigFile } : {}),
        TF_IN_AUTOMATION: '1',
        TF_INPUT: '0',
        CHECKPOINT_DISABLE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      options.onOutput?.(chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk);
      options.onOutput?.(chunk.toString('utf8'));
    });
    let stoppedBy: 'timeout' | 'abort' | undefined;
    const stopGroup = (reason: 'timeout' | 'abort') => {
      stoppedBy ??= reason;
      const kill = (signal: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      };
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 5000).unref();
    };
    const onAbort = () => stopGroup('abort');
    const timer = setTimeout(() => stopGroup('timeout'), options.timeoutMs ?? 300_000);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    // Our own exit (a crash, process.exit) takes terraform's group along.
    const onExit = () => stopGroup('abort');
    process.once('exit', onExit);
    const finish = (code: number, spawnError?: Error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', onExit);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        code,
        stdout,
        stderr: stoppedBy === 'abort' ? `The operation was aborted\n${stderr}` : spawnError ? spawnError.message : stderr,
        ...(stoppedBy === 'timeout' ? { timedOut: true } : {}),
      });
    };
    child.on('error', (error) => finish(127, error));
    child.on('close', (code) => finish(code ?? 1));
  });
}

/** Installs a provider set once into `dir` (from the CLI config's mirror), for stacks to share by symlink. */
export async function initProviders(
  terraform: string,
  providers: readonly string[],
  dir: string,
  cliConfigFile: string,
): Promise<{ dir: string; result: TerraformResult }> {
  mkdirSync(dir, { recursive: true });
  const required: Record<string, { source: string; version: string }> = {};
  for (const p of providers) {
    const [address, version] = p.split('@');
    required[address.split('/').pop()!] = { source: address, version };
  }
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: required } }));
  const result = await runTerraform(terraform, ['init', '-backend=false', '-input=false', '-no-color'], {
    cwd: dir,
    cliConfigFile,
  });
  return { dir, result };
}

/** Runs `work` over the items, at most `size` at a time; results in the items' order. */
export async function pool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}
