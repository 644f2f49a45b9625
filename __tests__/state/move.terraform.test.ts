import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { estate } from '../../config/estate';
import { resolveConfig } from '../../config/load';
import { DNS_STACK_NAME, lockTableName, stateBucketName, stateKey, storageKeyAlias } from '../../config/naming';
import { synthesizeTexts } from '../../scripts/dr/synthesize';
import { startEmulator, freeLoopbackPort, type Emulator } from '../../scripts/drill/emulator';
import { backendConfigFile } from '../../scripts/drill/endpoints';
import { drillEnvironment } from '../../scripts/drill/terraform';
import { main } from '../../scripts/state/cli';
import { moveProblem } from '../../scripts/state/move';
import { detectToolchain, runTerraform } from '../../scripts/terraform/toolchain';
import { terraformSuiteMayRun } from '../terraform/harness/gate';

/*
 * The DNS stack was renamed (dr-global -> dns-global), and its state key holds its name. The
 * upgrade step `npm run state:move -- dr-global dns-global` (docs/runbook.md) is run here with
 * the real terraform and S3 backend against the emulator, on the estate's own DR-region bucket,
 * lock table and storage key: the state written under the old name is then the renamed stack's,
 * whose plan changes nothing; a second run is a no-op; and a move never overwrites a state.
 */

jest.setTimeout(300_000);

const config = resolveConfig(estate);
const texts = synthesizeTexts(config);

test('only a recorded rename onto a stack of this estate can be moved', () => {
  const stacks = Object.keys(texts);
  expect(moveProblem('dr-global', DNS_STACK_NAME, stacks)).toBeUndefined();
  expect(moveProblem('dr-global', 'regional-us-east-2', stacks)).toBe('dr-global was not renamed to regional-us-east-2: config/naming.ts records dr-global -> dns-global.');
  expect(moveProblem(DNS_STACK_NAME, 'dr-global', stacks)).toContain('dns-global is a stack of this estate');
  expect(moveProblem('dr-global', 'dns-globl', stacks)).toContain('dns-globl is not a stack of this estate');
});

test('names the old and the new stack, or it is a usage error (exit 2) that runs nothing', async () => {
  const errors: string[] = [];
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void errors.push(a.join(' ')));
  try {
    expect(await main(['dr-global'], { PATH: '/nonexistent' })).toBe(2);
    expect(await main(['dr-global', DNS_STACK_NAME], { PATH: '/nonexistent' })).toBe(2);
  } finally {
    error.mockRestore();
  }
  expect(errors).toEqual([
    'state:move: name the old and the new stack (got 1 names); see npm run state:move -- --help.',
    'state:move: no terraform executable on PATH: install Terraform 1.11 (the version the pipelines pin), then run this again.',
  ]);
});

const toolchain = detectToolchain();
if (terraformSuiteMayRun('the state move of a renamed stack', toolchain.terraform ? [] : ['no terraform executable on PATH'])) {
  let emulator: Emulator;
  let workDir: string;
  let env: NodeJS.ProcessEnv;
  let backendFile: string;
  const region = config.dr.region;
  const backend = JSON.parse(texts[DNS_STACK_NAME]).terraform.backend.s3 as Record<string, unknown>;

  beforeAll(async () => {
    emulator = await startEmulator();
    workDir = mkdtempSync(join(tmpdir(), 'estate-state-move-'));
    env = drillEnvironment({ PATH: `${dirname(toolchain.terraform!)}:/usr/bin:/bin`, HOME: workDir }, emulator.endpoint, `http://127.0.0.1:${await freeLoopbackPort()}`);
    backendFile = join(workDir, 'emulator.s3.tfbackend');
    writeFileSync(backendFile, backendConfigFile(emulator.endpoint));
    const bucket = stateBucketName(config, region);
    execFileSync('python3', ['-c', [
      'import boto3',
      `kw=dict(endpoint_url="${emulator.endpoint}",aws_access_key_id="drill",aws_secret_access_key="drill",region_name="${region}")`,
      `s3=boto3.client("s3",**kw); s3.create_bucket(Bucket="${bucket}",CreateBucketConfiguration={"LocationConstraint":"${region}"})`,
      `s3.put_bucket_versioning(Bucket="${bucket}",VersioningConfiguration={"Status":"Enabled"})`,
      `kms=boto3.client("kms",**kw); key=kms.create_key()["KeyMetadata"]["KeyId"]; kms.create_alias(AliasName="${storageKeyAlias(config)}",TargetKeyId=key)`,
      `boto3.client("dynamodb",**kw).create_table(TableName="${lockTableName(config)}",KeySchema=[{"AttributeName":"LockID","KeyType":"HASH"}],AttributeDefinitions=[{"AttributeName":"LockID","AttributeType":"S"}],BillingMode="PAY_PER_REQUEST")`,
    ].join('\n')]);
  });
  afterAll(async () => {
    await emulator?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  /** A stand-in of the stack (one terraform_data) on the estate's backend at a state key; terraform in it. */
  const standIn = async (name: string, key: string, value: string) => {
    const dir = join(workDir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { backend: { s3: { ...backend, key } } }, resource: { terraform_data: { records: { input: value } } } }));
    const tf = (args: string[]) => runTerraform(toolchain.terraform!, args, { cwd: dir, env, timeoutMs: 120_000 });
    expect((await tf(['init', '-input=false', '-no-color', `-backend-config=${backendFile}`])).code).toBe(0);
    return tf;
  };
  const move = async (...argv: string[]) => {
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
    const error = jest.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
    try {
      const moveDir = mkdtempSync(join(workDir, 'move-'));
      const code = await main([...argv, '--backend-config', backendFile], env, { synthesize: () => texts, workDir: moveDir });
      // No copy of a state is left on disk, moved or not.
      expect(readdirSync(join(moveDir, 'state-move', 'to')).filter((f) => f.endsWith('.tfstate'))).toEqual([]);
      return { code, output: lines.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  };

  test('with nothing under the old name, nothing is moved and the command says so', async () => {
    const result = await move('dr-global', DNS_STACK_NAME);
    expect([result.code, result.output]).toEqual([1, expect.stringContaining('/prod/dr-global/terraform.tfstate holds no state, so there is nothing to move')]);
  });

  test('the state written under dr-global becomes dns-global\'s: its plan changes nothing; once moved, a second move does nothing', async () => {
    const old = await standIn('old', stateKey(config, 'dr-global'), 'records');
    expect((await old(['apply', '-auto-approve', '-input=false', '-no-color'])).code).toBe(0);

    const first = await move('dr-global', DNS_STACK_NAME);
    expect([first.code, first.output]).toEqual([0, expect.stringMatching(/^state:move: moved dr-global's state \(1 resources, lineage [0-9a-f-]+, serial \d+\) from s3:\/\/.+\/prod\/dr-global\/terraform.tfstate to s3:\/\/.+\/prod\/dns-global\/terraform.tfstate/)]);

    const renamed = await standIn('renamed', stateKey(config, DNS_STACK_NAME), 'records');
    const plan = await renamed(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
    expect([plan.code, plan.stdout]).toEqual([0, expect.stringContaining('No changes.')]);

    const again = await move('dr-global', DNS_STACK_NAME);
    expect([again.code, again.output]).toEqual([0, expect.stringContaining("already holds dr-global's state")]);
  });

  test('a move never overwrites a state: another state at the new key is refused, and the new key keeps its own', async () => {
    // The old key gets a state of another lineage (as if the old name had been deployed afresh).
    const fresh = await standIn('fresh', 'prod/scratch/terraform.tfstate', 'other');
    expect((await fresh(['apply', '-auto-approve', '-input=false', '-no-color'])).code).toBe(0);
    const pulled = await fresh(['state', 'pull']);
    writeFileSync(join(workDir, 'fresh.tfstate'), pulled.stdout);
    const oldKey = await standIn('old-again', stateKey(config, 'dr-global'), 'other');
    expect((await oldKey(['state', 'push', '-force', join(workDir, 'fresh.tfstate')])).code).toBe(0);

    const refused = await move('dr-global', DNS_STACK_NAME);
    expect([refused.code, refused.output]).toEqual([1, expect.stringContaining('already holds a state')]);
    expect(refused.output).toContain('nothing was moved, as a move never overwrites a state');
    const renamed = await standIn('renamed-after', stateKey(config, DNS_STACK_NAME), 'records');
    expect((await renamed(['plan', '-detailed-exitcode', '-input=false', '-no-color'])).code).toBe(0);
  });

}
