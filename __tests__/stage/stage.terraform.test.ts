import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../scripts/drill/emulator';
import { toolPath } from '../../scripts/drill/git-sites';
import { findOnPath } from '../../scripts/terraform/toolchain';
import { awsCli, bootArtifacts, stageArtifacts, VerificationError, type Artifact } from '../../scripts/stage/artifacts';
import { terraformSuiteMayRun } from '../terraform/harness/gate';

/*
 * `npm run stage` against the emulator with local files: the boot artifacts are verified before
 * anything is uploaded, land in both regions' buckets (S3 replication never has to carry them,
 * and copies nothing written before its rule anyway), and a second run uploads nothing. The
 * release key is one made here; the real one's fingerprint is checked the same way.
 */

jest.setTimeout(120_000);

test('the artifacts are the Gitea release, its signature and key, and node_exporter at its published checksum', () => {
  const artifacts = bootArtifacts('1.24.6');
  expect(artifacts.map((a) => a.name)).toEqual(['gitea-1.24.6-linux-amd64.asc', 'gitea-signing-key.asc', 'gitea-1.24.6-linux-amd64', 'node_exporter-1.8.2.linux-amd64.tar.gz']);
  expect(artifacts[2].signedBy).toEqual({ signature: 'gitea-1.24.6-linux-amd64.asc', key: 'gitea-signing-key.asc', fingerprint: '7C9E68152594688862D62AF62D9AE806EC1592E2' });
  expect(artifacts[3].sha256).toBe('6809dd0b3ec45fd6e992c19071d6b5253aed3ead7bf0686885a51d85c6643c66');
  expect(artifacts.every((a) => a.url.startsWith('https://'))).toBe(true);
});

const missing = ['aws', 'gpg'].filter((tool) => !findOnPath(tool, process.env.PATH ?? '')).map((tool) => `${tool} is not on PATH`);
if (terraformSuiteMayRun('staging the boot artifacts against the emulator', missing)) {
  let emulator: Emulator;
  let dir: string;
  let artifacts: Artifact[];
  let env: NodeJS.ProcessEnv;
  const buckets = [{ bucket: 'estate-stage-east', region: 'us-east-2' }, { bucket: 'estate-stage-west', region: 'us-west-1' }];

  beforeAll(async () => {
    emulator = await startEmulator();
    dir = mkdtempSync(join(tmpdir(), 'estate-stage-test-'));
    env = { PATH: toolPath(), HOME: process.env.HOME, AWS_ENDPOINT_URL: emulator.endpoint, AWS_ACCESS_KEY_ID: 'stage', AWS_SECRET_ACCESS_KEY: 'stage', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    for (const { bucket, region } of buckets) {
      execFileSync('aws', ['s3api', 'create-bucket', '--bucket', bucket, '--create-bucket-configuration', `LocationConstraint=${region}`, '--region', region], { env });
    }
    // A release key of our own, a signed "binary", a tarball with its checksum.
    const home = join(dir, 'gnupg');
    mkdirSync(home, { mode: 0o700 });
    const gpg = (args: string[]) => execFileSync('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { encoding: 'utf8' });
    gpg(['--quick-gen-key', 'Release <release@example.org>', 'ed25519', 'sign', 'never']);
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(['--with-colons', '--list-keys']))![1];
    const files = join(dir, 'files');
    mkdirSync(files);
    writeFileSync(join(files, 'gitea'), 'a gitea binary');
    gpg(['--armor', '--detach-sign', '--output', join(files, 'gitea.asc'), join(files, 'gitea')]);
    writeFileSync(join(files, 'key.asc'), gpg(['--armor', '--export', fingerprint]));
    writeFileSync(join(files, 'exporter.tar.gz'), 'a node_exporter tarball');
    artifacts = [
      { name: 'gitea.asc', url: 'https://example.org/gitea.asc' },
      { name: 'key.asc', url: 'https://example.org/key.asc' },
      { name: 'gitea', url: 'https://example.org/gitea', signedBy: { signature: 'gitea.asc', key: 'key.asc', fingerprint } },
      { name: 'exporter.tar.gz', url: 'https://example.org/exporter.tar.gz', sha256: createHash('sha256').update('a node_exporter tarball').digest('hex') },
    ];
  });
  afterAll(() => emulator?.stop());

  const keysIn = (bucket: string, region: string) =>
    execFileSync('aws', ['s3api', 'list-objects-v2', '--bucket', bucket, '--query', 'Contents[].Key', '--output', 'text', '--region', region], { env, encoding: 'utf8' }).trim();

  test('a file that fails its checksum, or a binary not signed by the release key, stages nothing anywhere', async () => {
    const tampered = artifacts.map((a) => (a.sha256 ? { ...a, sha256: '0'.repeat(64) } : a));
    await expect(stageArtifacts(tampered, { folder: join(dir, 'files') }, buckets, awsCli(env), () => undefined)).rejects.toThrow(VerificationError);
    const otherKey = artifacts.map((a) => (a.signedBy ? { ...a, signedBy: { ...a.signedBy, fingerprint: '7C9E68152594688862D62AF62D9AE806EC1592E2' } } : a));
    await expect(stageArtifacts(otherKey, { folder: join(dir, 'files') }, buckets, awsCli(env), () => undefined)).rejects.toThrow(/is not signed by 7C9E6815/);
    for (const { bucket, region } of buckets) expect(keysIn(bucket, region)).toBe('None');
  });

  test('verified artifacts land in both regions\' buckets under artifacts/, and a second run uploads nothing', async () => {
    const first = await stageArtifacts(artifacts, { folder: join(dir, 'files') }, buckets, awsCli(env), () => undefined);
    expect(first.map((s) => s.action)).toEqual(Array(8).fill('uploaded'));
    for (const { bucket, region } of buckets) {
      expect(keysIn(bucket, region).split(/\s+/).sort()).toEqual(['artifacts/exporter.tar.gz', 'artifacts/gitea', 'artifacts/gitea.asc', 'artifacts/key.asc']);
    }
    const again = await stageArtifacts(artifacts, { folder: join(dir, 'files') }, buckets, awsCli(env), () => undefined);
    expect(again.map((s) => s.action)).toEqual(Array(8).fill('unchanged'));
  });
}
