import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DrillContext } from '../../scripts/drill/drill';
import { freeLoopbackPort, startEmulator, type Emulator } from '../../scripts/drill/emulator';
import { lockIdOf, recoveryChecks } from '../../scripts/drill/recovery';
import { drillEnvironment } from '../../scripts/drill/terraform';
import { detectToolchain, writeCliConfig } from '../../scripts/terraform/toolchain';
import { terraformSuiteMayRun } from '../terraform/harness/gate';

/*
 * The runbook's recovery from a deploy that died half-way (scripts/drill/recovery.ts), with the
 * real terraform and S3 backend against the emulator, on a state bucket and lock table shaped
 * like the estate's (DynamoDB and lock-file locking, SSE-KMS): a killed apply's lock is
 * force-unlocked by the ID the refusal prints; an apply that lost its backend leaves
 * errored.tfstate, which state push restores. The drill runs the same checks on the estate's
 * own bucket.
 */

jest.setTimeout(300_000);

test('the lock ID is read from Terraform\'s refusal', () => {
  const refusal = 'Error: Error acquiring the state lock\n\nLock Info:\n  ID:        4b0a3a56-4c3e-2f1d-8c5e-1f2e3d4c5b6a\n  Path:      b/k\n';
  expect(lockIdOf(refusal)).toBe('4b0a3a56-4c3e-2f1d-8c5e-1f2e3d4c5b6a');
  expect(lockIdOf('Error: something else')).toBeUndefined();
});

const toolchain = detectToolchain();
if (terraformSuiteMayRun('recovery from a killed apply and from errored.tfstate', toolchain.missing)) {
  let emulator: Emulator;
  let workDir: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    workDir = mkdtempSync(join(tmpdir(), 'estate-recovery-'));
    const port = emulator.endpoint.split(':').pop()!;
    execFileSync('python3', ['-c', [
      'import boto3,sys',
      `kw=dict(endpoint_url="http://127.0.0.1:${port}",aws_access_key_id="drill",aws_secret_access_key="drill",region_name="us-east-2")`,
      's3=boto3.client("s3",**kw); s3.create_bucket(Bucket="state",CreateBucketConfiguration={"LocationConstraint":"us-east-2"})',
      's3.put_bucket_versioning(Bucket="state",VersioningConfiguration={"Status":"Enabled"})',
      'kms=boto3.client("kms",**kw); key=kms.create_key()["KeyMetadata"]["KeyId"]; kms.create_alias(AliasName="alias/storage",TargetKeyId=key)',
      'boto3.client("dynamodb",**kw).create_table(TableName="locks",KeySchema=[{"AttributeName":"LockID","KeyType":"HASH"}],AttributeDefinitions=[{"AttributeName":"LockID","AttributeType":"S"}],BillingMode="PAY_PER_REQUEST")',
    ].join('\n')]);
  });
  afterAll(async () => {
    await emulator?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('a killed apply is recovered with force-unlock; a lost backend with force-unlock and state push errored.tfstate; both end in an empty plan', async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const ctx = {
      tf: {
        terraform: toolchain.terraform!,
        cliConfigFile: writeCliConfig(toolchain.mirror!, join(workDir, 'cli')),
        workDir,
        env: drillEnvironment({ PATH: `${dirname(toolchain.terraform!)}:/usr/bin:/bin`, HOME: workDir }, emulator.endpoint, closed),
        record: (title: string, r: { code: number; stdout: string; stderr: string }) => appendFileSync(join(workDir, 'recovery.log'), `\n$ ${title} -> ${r.code}\n${r.stdout}${r.stderr}`),
      },
      emulator: emulator.endpoint,
      log: () => undefined,
    } as unknown as DrillContext;
    const primary = { bucket: 'state', region: 'us-east-2', dynamodb_table: 'locks', use_lockfile: true, encrypt: true, kms_key_id: 'alias/storage' };
    const report = await recoveryChecks(ctx, primary);
    // What terraform printed, when a check did not hold.
    if (report.problems.length) console.log(readFileSync(join(workDir, 'recovery.log'), 'utf8'));
    expect(report).toMatchObject({ killedLockRefused: true, killedRecovered: true, erroredStateWritten: true, erroredStateRecovered: true, problems: [] });
  });
}
