import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { attemptDark, refusedCall } from '../../scripts/drill/darkness';
import { freeLoopbackPort } from '../../scripts/drill/emulator';
import type { StackJson } from '../../scripts/drill/profile';
import { liveLockCheck } from '../../scripts/drill/live-lock';
import { drillEnvironment, run, stackDir, type DrillTerraform } from '../../scripts/drill/terraform';
import { detectToolchain, writeCliConfig } from '../../scripts/terraform/toolchain';
import { terraformSuiteMayRun } from '../terraform/harness/gate';

/*
 * Darkness shown, not assumed (scripts/drill/darkness.ts): a plan of a dark region's stack must
 * fail on a refused connection to the closed port, and the proof names the refused call; a
 * plan that gets through is reported as not dark. And the check the drill runs on a real
 * stack's lock while a region is dark (scripts/drill/live-lock.ts), on a local state.
 */

jest.setTimeout(180_000);

test('the refused call is named: the operation, the request and the refused connection', () => {
  const output =
    'regional-us-east-2: terraform init failed: Error: Failed to get existing workspaces: Unable to list objects in S3 bucket "b" with prefix "env:/": operation error S3: ListObjectsV2, exceeded maximum number of attempts, 5, https response error StatusCode: 0, RequestID: , HostID: , request send failed, Get "http://127.0.0.1:4567/b?list-type=2&prefix=env%3A%2F": dial tcp 127.0.0.1:4567: connect: connection refused';
  expect(refusedCall(output, '4567')).toBe('S3: ListObjectsV2: GET http://127.0.0.1:4567/b: dial tcp 127.0.0.1:4567: connect: connection refused');
});

const toolchain = detectToolchain();
if (terraformSuiteMayRun('a plan of a dark region is refused', toolchain.missing)) {
  let workDir: string;
  let tf: DrillTerraform;
  let closed: string;
  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'estate-dark-'));
    closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    tf = {
      terraform: toolchain.terraform!,
      cliConfigFile: writeCliConfig(toolchain.mirror!, join(workDir, 'cli')),
      workDir,
      env: drillEnvironment({ PATH: `${dirname(toolchain.terraform!)}:/usr/bin:/bin`, HOME: workDir }, closed, closed, 'closed'),
      record: (title, r) => appendFileSync(join(workDir, 'dark.log'), `\n$ ${title} -> ${r.code}\n${r.stdout}${r.stderr}`),
    };
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  const stack = (backend: boolean): StackJson => (<unknown>{
    terraform: {
      required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } },
      ...(backend ? { backend: { s3: { bucket: 'state', key: 'k', region: 'us-east-2' } } } : {}),
    },
    provider: { aws: [{ region: 'us-east-2' }] },
  }) as StackJson;

  test('a stack whose state is in the dark region is refused at its first call, and says which', async () => {
    const report = await attemptDark(tf, 'dark-stack', 'us-east-2', stack(true), { emulator: 'http://127.0.0.1:1', dark: { regions: ['us-east-2'], endpoint: closed } }, 'plan.dark-stack');
    expect(report).toMatchObject({ region: 'us-east-2', stack: 'dark-stack', refused: true });
    expect(report.call).toMatch(new RegExp(`^S3: ListObjectsV2: GET ${closed}/state: dial tcp 127\\.0\\.0\\.1:\\d+: connect: connection refused$`));
  });

  test('a plan that gets through is reported: the region was not dark', async () => {
    const report = await attemptDark(tf, 'lit-stack', 'us-east-2', stack(false), { emulator: 'http://127.0.0.1:1', dark: { regions: ['us-east-2'], endpoint: closed } }, 'plan.lit-stack');
    expect(report).toMatchObject({ refused: false, call: 'terraform plan of lit-stack succeeded with us-east-2 dark' });
  });
}

if (terraformSuiteMayRun('a held state lock refuses a second writer', toolchain.missing)) {
  test('a state lock held by one session refuses a second writer, naming the holder; once it ends, the lock is free and the plan empty', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'estate-lock-'));
    const tf: DrillTerraform = {
      terraform: toolchain.terraform!,
      cliConfigFile: writeCliConfig(toolchain.mirror!, join(workDir, 'cli')),
      workDir,
      env: { PATH: `${dirname(toolchain.terraform!)}:/usr/bin:/bin`, HOME: workDir },
      record: () => undefined,
    };
    try {
      const dir = stackDir(tf, 'locked');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ resource: { terraform_data: { a: { input: 'x' } } } }));
      expect((await run(tf, 'locked', ['init', '-input=false', '-no-color'])).code).toBe(0);
      expect((await run(tf, 'locked', ['apply', '-auto-approve', '-input=false', '-no-color'])).code).toBe(0);
      expect(await liveLockCheck(tf, 'locked', [], 'deploy.locked')).toEqual({ stack: 'locked', refused: true, released: true, problems: [] });
      // Not alive unless it can fail: with something left to apply, the plan after is not empty.
      writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ resource: { terraform_data: { a: { input: 'y' } } } }));
      const changed = await liveLockCheck(tf, 'locked', [], 'deploy.locked');
      expect(changed).toMatchObject({ refused: true, released: false });
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
}
