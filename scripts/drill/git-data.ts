import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploySequence } from '../deploy/order';
import { drCycle } from '../../config/dr';
import { resolveConfig, type EstateConfig } from '../../config/load';
import { drPostureParameterName, gitBackupBucketName } from '../../config/naming';
import type { TerraformJson } from '../iam/documents';
import { synthesizeEstate } from '../dr/synthesize';
import { judgeGitServerCalls, type GitPermissions } from './git-permissions';
import type { AwsRegion } from '../../config/regions';
import type { EstateConfigInput } from '../../config/schema';
import { GitSite, Pusher, type Outcome } from './git-sites';

/*
 * The Git data drill: the Git server's own backup, restore and publish code (git-data.sh) run
 * for real at two sites through the DR cycle, against the emulator's S3 and SSM, with pushes
 * made all along. S3 replication, which the emulator does not do, is done by the drill at the
 * moments it would have happened (`aws s3 sync` of git/); a dark region's calls lead nowhere.
 *
 *   normal     the primary publishes; a mirror that never restored, and a mirror, publish nothing
 *   failover   unplanned, the primary dark: the DR site fails closed while its bucket cannot be
 *              read, then restores the newest complete generation (one whose archive had not
 *              replicated is skipped) and reports the pushes at risk
 *   reprotect  the old primary comes back still running: its timer and its stop publish nothing
 *              (a newer writer took over); a restart restores nothing stale; an empty generation
 *              is never restored over repositories
 *   failback   planned, in the deploy order of config/dr.ts: the old writer stops (its final
 *              backup) before the new one starts, which waits for that backup: no push is lost
 *   normal     the new writer publishes under the next epoch
 */

/** The `gitData` section of the drill report. */
export interface GitDataReport {
  readonly ok: boolean;
  /** Pushes made through the cycle. */
  readonly pushes: number;
  /** Pushes missing after a step although no restore reported them at risk. */
  readonly pushesLost: number;
  /** What the unplanned failover reported at risk, and how many pushes that was. */
  readonly atRisk: { readonly since: string | null; readonly pushes: number };
  /** A restart restored nothing that was not newer than the data it held. */
  readonly staleRestoreRefused: boolean;
  /** The superseded old primary's timer and stop published nothing. */
  readonly stalePublishRefused: boolean;
  /** A server that never restored, and a mirror, published nothing. */
  readonly emptyPublishRefused: boolean;
  /** An empty generation was never restored over repositories. */
  readonly emptyRestoreRefused: boolean;
  /** With its bucket unreadable, a server taking over stayed down and said why. */
  readonly failedClosed: boolean;
  /** The planned failback brought back every file (attachments, LFS, avatars, JWT key, config) and every database row. */
  readonly complete: boolean;
  /** The generations in each region's bucket at the end. */
  readonly generations: Readonly<Record<string, readonly string[]>>;
  /** The Git servers' own calls, judged against their role as the estate synthesizes it (when calls were recorded). */
  readonly permissions?: GitPermissions;
  readonly problems: readonly string[];
  readonly seconds: number;
}

/** Options of {@link gitDataDrill}. */
export interface GitDataOptions {
  readonly emulator: string;
  /** A loopback URL nothing listens on: where a dark region's calls go. */
  readonly closedEndpoint: string;
  readonly workDir: string;
  /** The committed estate config input: its regions and DR cycle. */
  readonly input: EstateConfigInput;
  readonly log: (line: string) => void;
  /** How long a server taking over waits for the final backup (the drill's stand-in for handoverWaitMinutes). Default 3 s. */
  readonly handoverWaitSeconds?: number;
  /**
   * The order the failback starts and stops the Git servers in: the deploy order
   * (scripts/deploy/order.ts deploySequence), or the new writer first (the order before the handover was
   * deployed first), to show what that loses.
   * @default 'deploy'
   */
  readonly switchOrder?: 'deploy' | 'new-writer-first';
  /** The emulator's record of requests so far (JSON lines): when given, the Git servers' calls are judged. */
  readonly recordedCalls?: () => string;
  /** Aborts the drill: every command it runs is killed, and the drill throws. */
  readonly signal?: AbortSignal;
}

export async function gitDataDrill(options: GitDataOptions): Promise<GitDataReport> {
  const started = Date.now();
  const base = resolveConfig(options.input);
  const cycle = drCycle(base.primary.region, base.dr.region);
  const configOf = (i: number): EstateConfig => resolveConfig({ ...options.input, ...cycle[i].position });
  const parameter = drPostureParameterName(base);
  const endpoint = { emulator: options.emulator, closed: options.closedEndpoint };
  const site = (region: AwsRegion) =>
    new GitSite(region, gitBackupBucketName(base, region), parameter, endpoint, join(options.workDir, region), options.handoverWaitSeconds ?? 3, options.signal);
  const primary = site(base.primary.region);
  const dr = site(base.dr.region);
  const pusher = new Pusher(join(options.workDir, 'clients'));
  if (options.signal?.aborted) throw new Error('interrupted before it started');
  const problems: string[] = [];
  const log = (line: string) => options.log(`  git data: ${line}`);
  const must = (what: string, outcome: Outcome, code = 0) => {
    if (options.signal?.aborted) throw new Error(`${what}: interrupted (SIGINT or SIGTERM)`);
    if (outcome.code !== code) throw new Error(`${what}: exit ${outcome.code}, expected ${code}: ${outcome.output.split('\n').slice(-3).join(' | ')}`);
    return outcome;
  };
  const posture = async (at: GitSite, config: EstateConfig) =>
    must(`posture in ${at.region}`, await at.aws(['ssm', 'put-parameter', '--overwrite', '--type', 'String', '--name', parameter, '--value', JSON.stringify({ activeRegion: config.activeRegion, switches: config.switches })]));
  // S3 replication of git/ from one bucket to the other (manifests only: an archive still in flight).
  const replicate = async (from: GitSite, to: GitSite, manifestsOnly = false) =>
    must(`replication ${from.region} -> ${to.region}`, await from.aws(['s3', 'sync', '--only-show-errors', `s3://${from.bucket}/git/`, `s3://${to.bucket}/git/`, ...(manifestsOnly ? ['--exclude', '*', '--include', '*/manifest.json'] : [])]));
  let lost = 0;
  const expectAll = async (at: GitSite, step: string, exempt: readonly number[] = []) => {
    const missing = (await pusher.missingOn(at, pusher.pushes.map((p) => p.id).filter((id) => !exempt.includes(id))));
    lost = Math.max(lost, missing.length);
    if (missing.length) problems.push(`${step}: ${at.region} lacks push(es) ${missing.join(', ')} that no restore reported at risk`);
    log(`${step}: ${at.region} holds every push (${pusher.pushes.length - exempt.length}${exempt.length ? ` of ${pusher.pushes.length}: ${exempt.length} reported at risk` : ''})${missing.length ? `, but not ${missing.join(', ')}` : ''}`);
  };

  for (const at of [primary, dr]) {
    must(`bucket in ${at.region}`, await at.aws(['s3api', 'create-bucket', '--bucket', at.bucket, '--create-bucket-configuration', `LocationConstraint=${at.region}`]));
    await posture(at, configOf(0));
    at.initialize();
  }

  // normal: a mirror that never restored, and a started mirror, publish nothing.
  const neverRestored = await dr.data('backup');
  must('primary start', await primary.start());
  const mirror = await dr.start();
  must('DR mirror start', mirror);
  const mirrorBackup = await dr.data('backup');
  for (const repo of ['app', 'infra', 'app']) await pusher.push(primary, repo);
  must('primary backup', await primary.data('backup'));
  const unchanged = await primary.data('backup');
  await replicate(primary, dr);
  await pusher.push(primary, 'infra');
  must('primary backup', await primary.data('backup'));
  await replicate(primary, dr);
  const emptyPublishRefused = neverRestored.code === 3 && mirrorBackup.code === 3 && (await dr.keys(`git/${dr.region}/`)).length === 0;
  log(`normal: a server that never restored ${neverRestored.code === 3 ? 'published nothing' : 'PUBLISHED'}, the mirror ${mirrorBackup.code === 3 ? 'published nothing' : 'PUBLISHED'}; an unchanged server ${/nothing changed/.test(unchanged.output) ? 'made no new generation' : 'made a new generation'}`);
  if (!/nothing changed/.test(unchanged.output)) problems.push('normal: a backup of unchanged data made a new generation');

  // failover, unplanned: the last generation's archive never left the primary region.
  const beforeRisk = pusher.pushes.length;
  await pusher.push(primary, 'app');
  must('primary backup', await primary.data('backup'));
  await replicate(primary, dr, true);
  await pusher.push(primary, 'app');
  primary.dark = true;
  const failover = configOf(1);
  await posture(dr, failover);
  dr.bucketUnreadable = true; // its bucket unreadable for a moment: it must stay down
  const closed = await dr.start();
  const closedReason = dr.unserviceable();
  dr.bucketUnreadable = false;
  const closedPublish = await dr.data('backup');
  const failedClosed = closed.code !== 0 && !dr.serving && Boolean(closedReason) && closedPublish.code === 3;
  log(`failover: with its bucket unreadable the DR server ${failedClosed ? `stayed down: "${closedReason}"` : 'SERVED'}`);
  must('DR takes over', await dr.start());
  const takeover = dr.lastRestore();
  const atRiskIds = pusher.pushes.filter((p) => p.id > beforeRisk).map((p) => p.id);
  const atRiskMissing = await pusher.missingOn(dr, atRiskIds);
  const since = takeover.atRiskSince === null ? null : new Date(takeover.atRiskSince * 1000).toISOString();
  log(`failover: restored ${takeover.generation} (${takeover.outcome}), pushes since ${since ?? 'nothing'} at risk: ${atRiskMissing.length}`);
  if (takeover.atRiskSince === null) problems.push('failover: the unplanned takeover reported nothing at risk');
  await expectAll(dr, 'failover', atRiskMissing);

  // reprotect: the old primary comes back still running as the old writer.
  for (const repo of ['app', 'infra']) await pusher.push(dr, repo);
  must('DR backup', await dr.data('backup'));
  primary.dark = false;
  await replicate(dr, primary);
  await replicate(primary, dr);
  const staleTimer = await primary.data('backup');
  await posture(primary, failover);
  const staleStop = await primary.stop();
  const stalePublishRefused = staleTimer.code === 3 && staleStop.code === 3;
  log(`reprotect: the superseded primary's timer ${staleTimer.code === 3 ? 'published nothing' : 'PUBLISHED'}, its stop ${staleStop.code === 3 ? 'published nothing' : 'PUBLISHED'}`);
  must('DR restart', await dr.start());
  const staleRestoreRefused = dr.lastRestore().outcome === 'stale-refused';
  log(`reprotect: a DR restart restored ${staleRestoreRefused ? 'nothing (no newer generation)' : dr.lastRestore().outcome}`);
  await expectAll(dr, 'reprotect', atRiskMissing);
  const emptyRestoreRefused = await emptyGenerationRefused(dr, must);
  log(`reprotect: an empty newer generation was ${emptyRestoreRefused ? 'refused' : 'RESTORED'} over the repositories`);
  must('DR restart', await dr.start());

  // failback, planned: the Git servers stop and start in the deploy order.
  for (const repo of ['app', 'infra']) await pusher.push(dr, repo);
  must('DR backup', await dr.data('backup'));
  await replicate(dr, primary);
  await pusher.push(dr, 'app'); // after the last timer backup: only the handover carries it
  const expected = dr.snapshot();
  const failback = configOf(3);
  const order = deploySequence(failback).filter((s) => s.phase === 'regional').map((s) => s.stack.replace(/^regional-/, ''));
  if (options.switchOrder === 'new-writer-first') order.sort((a) => (a === failback.activeRegion ? -1 : 1));
  log(`failback: Git servers in the order ${order.join(' -> ')}`);
  for (const region of order) {
    const at = region === primary.region ? primary : dr;
    await posture(at, failback);
    if (region === failback.activeRegion) {
      must('primary takes over', await at.start());
    } else {
      must('DR final backup', await at.stop());
      await replicate(at, at === dr ? primary : dr);
    }
  }
  log(`failback: the primary restored ${primary.lastRestore().generation} after waiting ${primary.lastRestore().finalAwaitedSeconds} s for the final backup`);
  await expectAll(primary, 'failback', atRiskMissing);
  const restored = primary.snapshot();
  const differing = Object.keys({ ...expected, ...restored }).filter((f) => expected[f] !== restored[f]);
  const complete = differing.length === 0 && (await primary.sql('SELECT count(*) FROM action')) === String(pusher.pushes.length - atRiskMissing.length);
  log(`failback: ${complete ? 'every file and database row came back' : `NOT complete: ${differing.join(', ') || 'database rows'}`}`);

  // normal again: the new writer publishes under the next epoch.
  await pusher.push(primary, 'infra');
  must('primary backup', await primary.data('backup'));
  const generations = { [primary.region]: await primary.keys(), [dr.region]: await dr.keys() };
  const newest = generations[primary.region].filter((k) => k.endsWith('manifest.json')).sort((a, b) => a.split('/')[2].localeCompare(b.split('/')[2])).pop() ?? '';
  if (!newest.includes(`/${String(failback.switches).padStart(6, '0')}-`)) problems.push(`normal again: the newest generation ${newest} is not under epoch ${failback.switches}`);
  await expectAll(primary, 'normal again', atRiskMissing);

  const report = {
    pushes: pusher.pushes.length,
    pushesLost: lost,
    atRisk: { since, pushes: atRiskMissing.length },
    staleRestoreRefused,
    stalePublishRefused,
    emptyPublishRefused,
    emptyRestoreRefused,
    failedClosed,
    complete,
  };
  for (const [flag, value] of Object.entries(report)) if (value === false) problems.push(`${flag} is false`);
  let permissions: GitPermissions | undefined;
  if (options.recordedCalls) {
    permissions = await judgeGitServerCalls(options.recordedCalls(), synthesizeEstate(base) as Record<string, TerraformJson>, base);
    log(`permissions: ${permissions.calls} calls of the Git servers, ${permissions.evaluated} requests judged against their role, ${permissions.denied.length} denied, ${permissions.unplaced.length} unplaced`);
    if (!permissions.calls) problems.push('permissions: no call of the Git servers was recorded');
    problems.push(...permissions.denied.map((d) => `permissions: ${d}`), ...permissions.unplaced.map((u) => `permissions: not placed: ${u}`));
  }
  return { ok: problems.length === 0, ...report, generations, ...(permissions ? { permissions } : {}), problems, seconds: Math.round((Date.now() - started) / 1000) };
}

/** Publishes an empty generation newer than anything (as a broken writer would) and restarts: true when it was refused and removing it restores service. */
async function emptyGenerationRefused(at: GitSite, must: (what: string, o: Outcome, code?: number) => Outcome): Promise<boolean> {
  const empty = join(at.home, '..', 'empty');
  must('empty archive', await at.command('bash', ['-c', `mkdir -p "${empty}/custom" "${empty}/data" && tar -czf "${empty}.tar.gz" -C "${empty}" ./custom ./data`]));
  const sha = createHash('sha256').update(readFileSync(`${empty}.tar.gz`)).digest('hex');
  const prefix = 'git/rogue/999999-9999999999';
  const manifest = JSON.stringify({ generation: '999999-9999999999', epoch: 999999, seq: 9999999999, origin: 'rogue', createdAt: Math.floor(Date.now() / 1000), archive: `${prefix}/backup.tar.gz`, sha256: sha, bytes: 1, repositories: 0, final: true, fingerprint: 'x' });
  must('empty generation', await at.aws(['s3api', 'put-object', '--bucket', at.bucket, '--key', `${prefix}/backup.tar.gz`, '--body', `${empty}.tar.gz`]));
  writeFileSync(`${empty}.json`, manifest);
  must('empty generation', await at.aws(['s3api', 'put-object', '--bucket', at.bucket, '--key', `${prefix}/manifest.json`, '--body', `${empty}.json`]));
  const refused = await at.start();
  const held = !at.serving && /holds no repository/.test(at.unserviceable() ?? '');
  for (const key of ['backup.tar.gz', 'manifest.json']) must('remove the empty generation', await at.aws(['s3api', 'delete-object', '--bucket', at.bucket, '--key', `${prefix}/${key}`]));
  return refused.code !== 0 && held;
}
