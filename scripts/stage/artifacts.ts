import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ARTIFACTS_PREFIX, GITEA_SIGNING_KEY, NODE_EXPORTER, nodeExporterArtifactKey } from '../../constructs/user-data';

/*
 * The boot artifacts every instance installs from its own region's backup bucket (artifacts/):
 * fetched once, verified (node_exporter's published SHA-256; Gitea's detached signature by the
 * release key's full fingerprint, the same check the Git server repeats before installing), and
 * uploaded to BOTH regions' buckets directly. Nothing relies on S3 replication, which copies only
 * objects written after a rule exists (S3 User Guide, "Replicating existing objects"), and
 * replicates only the backup generations (git/) anyway.
 */

const run = promisify(execFile);

/** One file to stage: its name under artifacts/, where it comes from, and how it is verified. */
export interface Artifact {
  readonly name: string;
  readonly url: string;
  /** Expected SHA-256 (hex), when the publisher gives one. */
  readonly sha256?: string;
  /** For a detached signature's subject: the signature and key artifact names, and the signer's full fingerprint. */
  readonly signedBy?: { readonly signature: string; readonly key: string; readonly fingerprint: string };
}

/** The artifacts of a Gitea release and of the pinned node_exporter. */
export function bootArtifacts(giteaVersion: string): Artifact[] {
  const gitea = `gitea-${giteaVersion}-linux-amd64`;
  return [
    { name: `${gitea}.asc`, url: `https://dl.gitea.com/gitea/${giteaVersion}/${gitea}.asc` },
    { name: 'gitea-signing-key.asc', url: `https://keys.openpgp.org/vks/v1/by-fingerprint/${GITEA_SIGNING_KEY}` },
    {
      name: gitea,
      url: `https://dl.gitea.com/gitea/${giteaVersion}/${gitea}`,
      signedBy: { signature: `${gitea}.asc`, key: 'gitea-signing-key.asc', fingerprint: GITEA_SIGNING_KEY },
    },
    {
      name: nodeExporterArtifactKey().slice(`${ARTIFACTS_PREFIX}/`.length),
      url: `https://github.com/prometheus/node_exporter/releases/download/v${NODE_EXPORTER.version}/node_exporter-${NODE_EXPORTER.version}.linux-amd64.tar.gz`,
      sha256: NODE_EXPORTER.sha256,
    },
  ];
}

/** Where each artifact's bytes come from: a folder holding them by name, or their URLs. */
export type ArtifactSource = { readonly folder: string } | { readonly fetch: (url: string) => Promise<Buffer> };

/** What staging did with one artifact in one bucket. */
export interface StagedObject {
  readonly bucket: string;
  readonly key: string;
  readonly sha256: string;
  readonly action: 'uploaded' | 'unchanged';
}

/** Runs the AWS CLI (a region's bucket); tests point it at the emulator through the environment. */
export type AwsCli = (args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export function awsCli(env: NodeJS.ProcessEnv): AwsCli {
  return async (args) => {
    try {
      const { stdout, stderr } = await run('aws', [...args], { env, maxBuffer: 16 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number | string; stdout?: string; stderr?: string };
      if (failed.code === 'ENOENT') throw new Error('the AWS CLI (aws) is not on PATH: install it (it uploads the artifacts), then run this again.');
      return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };
}

/** An artifact that failed verification: nothing is uploaded anywhere. */
export class VerificationError extends Error {}

/**
 * Fetches and verifies every artifact, then uploads each to every bucket (skipping an object
 * whose recorded SHA-256 already matches). Verification happens before any upload: one bad
 * file stages nothing.
 */
export async function stageArtifacts(
  artifacts: readonly Artifact[],
  source: ArtifactSource,
  buckets: readonly { readonly bucket: string; readonly region: string }[],
  aws: AwsCli,
  log: (line: string) => void,
): Promise<StagedObject[]> {
  const work = mkdtempSync(join(tmpdir(), 'estate-stage-'));
  try {
    const files = new Map<string, string>();
    for (const artifact of artifacts) {
      const path = join(work, artifact.name);
      if ('folder' in source) {
        const local = join(source.folder, artifact.name);
        if (!existsSync(local)) throw new VerificationError(`${artifact.name} is not in ${source.folder} (expected the file named so, from ${artifact.url}).`);
        writeFileSync(path, readFileSync(local));
      } else {
        writeFileSync(path, await source.fetch(artifact.url));
      }
      files.set(artifact.name, path);
    }
    for (const artifact of artifacts) await verify(artifact, files, work);
    const staged: StagedObject[] = [];
    for (const artifact of artifacts) {
      const path = files.get(artifact.name)!;
      const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
      for (const { bucket, region } of buckets) {
        const key = `${ARTIFACTS_PREFIX}/${artifact.name}`;
        const head = await aws(['s3api', 'head-object', '--bucket', bucket, '--key', key, '--query', 'Metadata.sha256', '--output', 'text', '--region', region]);
        if (head.code === 0 && head.stdout.trim() === sha256) {
          staged.push({ bucket, key, sha256, action: 'unchanged' });
          continue;
        }
        const put = await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', path, '--metadata', `sha256=${sha256}`, '--region', region]);
        if (put.code !== 0) throw new Error(`uploading ${key} to s3://${bucket} (${region}) failed: ${put.stderr.trim() || put.stdout.trim()}`);
        staged.push({ bucket, key, sha256, action: 'uploaded' });
      }
      log(`stage: ${artifact.name} (sha256 ${sha256.slice(0, 16)}...) in ${buckets.map((b) => b.region).join(' and ')}`);
    }
    return staged;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function verify(artifact: Artifact, files: ReadonlyMap<string, string>, work: string): Promise<void> {
  const path = files.get(artifact.name)!;
  if (artifact.sha256) {
    const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (actual !== artifact.sha256) throw new VerificationError(`${artifact.name} has SHA-256 ${actual}, expected ${artifact.sha256} (the published checksum): nothing was staged.`);
  }
  if (artifact.signedBy) {
    const { signature, key, fingerprint } = artifact.signedBy;
    const home = mkdtempSync(join(work, 'gnupg-'));
    const gpg = (args: string[]) => run('gpg', ['--homedir', home, '--batch', ...args]);
    try {
      await gpg(['--import', files.get(key)!]);
      const { stdout } = await gpg(['--status-fd', '1', '--verify', files.get(signature)!, path]);
      // VALIDSIG ends with the primary key's fingerprint, even when a subkey signed.
      if (!stdout.split('\n').some((line) => line.startsWith('[GNUPG:] VALIDSIG ') && line.trim().endsWith(` ${fingerprint}`))) {
        throw new VerificationError(`${artifact.name} is not signed by ${fingerprint}: nothing was staged.`);
      }
    } catch (error) {
      if (error instanceof VerificationError) throw error;
      const failed = error as { code?: string; stdout?: string; stderr?: string };
      if (failed.code === 'ENOENT') throw new Error('gpg is not on PATH: install GnuPG (it verifies the Gitea release signature), then run this again.');
      throw new VerificationError(`${artifact.name}: its signature does not verify (${(failed.stderr ?? '').trim().split('\n').pop()}): nothing was staged.`);
    }
  }
}
