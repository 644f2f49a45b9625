import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTerraform, type TerraformResult } from '../terraform/toolchain';
import { probe, type DrillContext } from './drill';
import { backendConfigFile, type StackJson } from './profile';

/*
 * The state backend, drilled on the emulator with the estate's own backend settings (the state
 * buckets and lock table the bootstrap stacks created, DynamoDB and lock-file locking as the
 * stacks configure them), on small probe configurations of `terraform_data` resources:
 *   - two writers at once: the second is refused with "Error acquiring the state lock", waits
 *     with -lock-timeout, then succeeds, and both writers' resources are in the final state;
 *   - a saved plan made before those writes (as a deploy job's plan waits for its approval) is
 *     refused when applied after them ("Saved plan is stale"), the state left as it was;
 *   - `init -migrate-state` from local state into the primary's bucket, then into the DR
 *     region's bucket, each ending in an empty plan;
 *   - an older state version restored from the versioned bucket, with the DynamoDB digest set
 *     to the restored object's MD5 as the runbook (docs/runbook.md) says.
 */

/** What the backend checks saw. */
export interface BackendReport {
  /** The second writer was refused with Terraform's lock error. */
  readonly lockRefused: boolean;
  /** Waiting with -lock-timeout, the second writer then succeeded. */
  readonly lockWaited: boolean;
  /** Both writers' resources are in the final state, and its serial counts both writes. */
  readonly nothingLost: boolean;
  /** A saved plan made before the writes was refused as stale, and changed nothing. */
  readonly stalePlanRefused: boolean;
  /** Local -> primary bucket -> DR bucket, each migration ending in an empty plan. */
  readonly migrated: boolean;
  /** An older version was restored and read back after the digest was set. */
  readonly restored: boolean;
  readonly problems: readonly string[];
  readonly seconds: number;
}

interface S3Backend {
  readonly bucket: string;
  readonly region: string;
  readonly key: string;
  readonly dynamodb_table?: string;
  readonly [setting: string]: unknown;
}

/** The S3 backend an estate stack in `region` uses. */
export function estateBackend(stacks: Record<string, StackJson>, region: string): S3Backend {
  for (const json of Object.values(stacks)) {
    const s3 = json.terraform?.backend?.s3 as S3Backend | undefined;
    if (s3 && s3.region === region) return s3;
  }
  throw new Error(`no stack keeps its state in ${region}`);
}

export async function backendChecks(
  ctx: DrillContext,
  estate: { config: { primary: { region: string }; dr: { region: string } }; stacks: Record<string, StackJson> },
): Promise<BackendReport> {
  const started = Date.now();
  const problems: string[] = [];
  const root = join(ctx.tf.workDir, 'backend');
  const primary = estateBackend(estate.stacks, estate.config.primary.region);
  const dr = estateBackend(estate.stacks, estate.config.dr.region);
  const backendFile = join(root, 'drill.s3.tfbackend');
  mkdirSync(root, { recursive: true });
  writeFileSync(backendFile, backendConfigFile(ctx.emulator));

  const tf = (dir: string, args: string[]) =>
    runTerraform(ctx.tf.terraform, args, { cwd: dir, env: ctx.tf.env, cliConfigFile: ctx.tf.cliConfigFile, timeoutMs: 5 * 60_000, signal: ctx.tf.signal }).then((r) => {
      ctx.tf.record(`backend/${dir.split('/').pop()}: terraform ${args.join(' ')}`, r);
      return r;
    });
  const writeConfig = (dir: string, backend: Record<string, unknown>, resources: Record<string, unknown>) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { backend }, resource: { terraform_data: resources } }, null, 2));
  };
  const init = async (dir: string, extra: string[] = []) => {
    const result = await tf(dir, ['init', '-input=false', '-no-color', `-backend-config=${backendFile}`, ...extra]);
    if (result.code !== 0) problems.push(`${dir}: terraform init ${extra.join(' ')} failed: ${tail(result)}`);
    return result.code === 0;
  };

  // 1. Two writers on one state.
  const key = 'drill/backend-lock-probe.tfstate';
  const marker = join(root, 'writer-a-holds-the-lock');
  const resources = {
    writer_a: { input: 'a', provisioner: [{ 'local-exec': { command: `touch '${marker}' && sleep 15` } }] },
    writer_b: { input: 'b' },
  };
  const [dirA, dirB] = [join(root, 'writer-a'), join(root, 'writer-b')];
  for (const dir of [dirA, dirB]) writeConfig(dir, { s3: { ...primary, key } }, resources);
  let lockRefused = false;
  let lockWaited = false;
  let nothingLost = false;
  let stalePlanRefused = false;
  let restored = false;
  if ((await init(dirA)) && (await init(dirB))) {
    // Planned now, applied after both writers: what a deploy job does with a plan that waited.
    const reviewed = await tf(dirB, ['plan', '-input=false', '-no-color', '-lock=false', '-out=reviewed.tfplan', '-target=terraform_data.writer_b']);
    if (reviewed.code !== 0) problems.push(`the saved plan could not be made: ${tail(reviewed)}`);
    const writerA = tf(dirA, ['apply', '-auto-approve', '-input=false', '-no-color', '-target=terraform_data.writer_a']);
    const deadline = Date.now() + 120_000;
    while (!existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const refused = await tf(dirB, ['apply', '-auto-approve', '-input=false', '-no-color', '-lock-timeout=0s', '-target=terraform_data.writer_b']);
    lockRefused = refused.code !== 0 && /Error acquiring the state lock/.test(refused.stderr + refused.stdout);
    if (!lockRefused) problems.push(`a second writer was not refused while the first held the lock (exit ${refused.code}): ${tail(refused)}`);
    const waited = await tf(dirB, ['apply', '-auto-approve', '-input=false', '-no-color', '-lock-timeout=180s', '-target=terraform_data.writer_b']);
    lockWaited = waited.code === 0;
    if (!lockWaited) problems.push(`the second writer, waiting for the lock, failed: ${tail(waited)}`);
    const first = await writerA;
    if (first.code !== 0) problems.push(`the first writer failed: ${tail(first)}`);
    const state = await pull(tf, dirB);
    const names = (state?.resources ?? []).map((r) => r.name).sort();
    nothingLost = first.code === 0 && lockWaited && names.join(',') === 'writer_a,writer_b' && (state?.serial ?? 0) >= 2;
    if (!nothingLost) problems.push(`after both writers the state holds ${names.join(', ') || 'nothing'} at serial ${state?.serial}, expected writer_a and writer_b at serial >= 2.`);
    if (reviewed.code === 0) {
      const stale = await tf(dirB, ['apply', '-input=false', '-no-color', '-lock-timeout=60s', 'reviewed.tfplan']);
      const after = await pull(tf, dirB);
      stalePlanRefused = stale.code !== 0 && /Saved plan is stale/.test(stale.stderr + stale.stdout) && after?.serial === state?.serial;
      if (!stalePlanRefused) problems.push(`a saved plan made before both writes was not refused as stale (exit ${stale.code}, serial ${state?.serial} -> ${after?.serial}): ${tail(stale)}`);
    }

    // 2. Restore the version before the second writer's.
    const location = { bucket: primary.bucket, key, region: primary.region };
    const versions = await probe<{ versionId: string }[]>(ctx, 'versions', location);
    if (versions.length < 2) problems.push(`the state bucket keeps ${versions.length} version(s) of ${key}, expected at least 2 (is versioning on?).`);
    else {
      await probe(ctx, 'restore', { ...location, versionId: versions[1].versionId });
      const mismatch = await tf(dirB, ['state', 'list', '-no-color']);
      const digestGuarded = mismatch.code !== 0 && /checksum|expected content|Digest/i.test(mismatch.stderr);
      if (!digestGuarded && primary.dynamodb_table) problems.push(`reading a restored state with the old digest in DynamoDB was not refused: ${tail(mismatch)}`);
      if (primary.dynamodb_table) await probe(ctx, 'digest', { ...location, table: primary.dynamodb_table });
      const list = await tf(dirB, ['state', 'list', '-no-color']);
      restored = list.code === 0 && list.stdout.trim() === 'terraform_data.writer_a';
      if (!restored) problems.push(`after restoring the older version the state lists ${JSON.stringify(list.stdout.trim())} (exit ${list.code}), expected terraform_data.writer_a only.`);
    }
  }

  // 3. Migrations: local -> primary's bucket -> DR bucket.
  const dirM = join(root, 'migrate');
  const migratedKey = 'drill/backend-migration-probe.tfstate';
  const one = { migrated: { input: 'state that moves' } };
  writeConfig(dirM, { local: { path: 'terraform.tfstate' } }, one);
  let migrated = false;
  const local = await tf(dirM, ['init', '-input=false', '-no-color']);
  const created = local.code === 0 ? await tf(dirM, ['apply', '-auto-approve', '-input=false', '-no-color']) : local;
  if (created.code !== 0) problems.push(`the migration probe could not start with local state: ${tail(created)}`);
  else {
    const steps: { label: string; backend: S3Backend }[] = [
      { label: `local state -> ${primary.bucket}`, backend: { ...primary, key: migratedKey } },
      { label: `${primary.bucket} -> ${dr.bucket}`, backend: { ...dr, key: migratedKey } },
    ];
    migrated = true;
    for (const step of steps) {
      writeConfig(dirM, { s3: step.backend }, one);
      // The plan after a migration reads the state it moved; it takes no lock (-lock=false), which
      // parts 1 and 2 drill: under load the emulator once lost the answer to this plan's lock write,
      // and the SDK's retry then found the plan's own lock ("Error acquiring the state lock").
      const moved = (await init(dirM, ['-migrate-state', '-force-copy'])) && (await tf(dirM, ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock=false']));
      const empty = typeof moved === 'object' && moved.code === 0;
      const stored = await probe<unknown[]>(ctx, 'versions', { bucket: step.backend.bucket, key: migratedKey, region: step.backend.region });
      if (!empty || !stored.length) {
        migrated = false;
        problems.push(`migrating ${step.label}: ${!stored.length ? 'no state object in the bucket' : `the plan after it is not empty: ${typeof moved === 'object' ? tail(moved) : 'init failed'}`}.`);
      }
    }
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  ctx.log(
    `backend: lock refused ${lockRefused}, waited ${lockWaited}, nothing lost ${nothingLost}, stale plan refused ${stalePlanRefused}, migrated ${migrated}, restored ${restored} (${seconds} s)`,
  );
  for (const p of problems) ctx.log(`  PROBLEM backend: ${p}`);
  return { lockRefused, lockWaited, nothingLost, stalePlanRefused, migrated, restored, problems, seconds };
}

async function pull(
  tf: (dir: string, args: string[]) => Promise<TerraformResult>,
  dir: string,
): Promise<{ serial: number; resources: { name: string }[] } | undefined> {
  const result = await tf(dir, ['state', 'pull']);
  try {
    return result.code === 0 ? JSON.parse(result.stdout) : undefined;
  } catch {
    return undefined;
  }
}

function tail(result: TerraformResult): string {
  return (result.stderr || result.stdout).split('\n').map((l) => l.trim()).filter(Boolean).slice(-4).join(' | ');
}
