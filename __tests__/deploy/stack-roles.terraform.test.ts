import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deploySequence } from '../../scripts/deploy/order';
import type { EstateConfig } from '../../config/load';
import { main } from '../../scripts/deploy/cli';
import { freeLoopbackPort, startEmulator, type Emulator } from '../../scripts/drill/emulator';
import { drillEnvironment } from '../../scripts/drill/terraform';
import { detectToolchain, runTerraform } from '../../scripts/terraform/toolchain';
import { terraformSuiteMayRun } from '../terraform/harness/gate';

/*
 * `deploy:phase -- <phase> --apply DIR --assume-stack-roles env`, with the real terraform, AWS
 * provider and S3 backend, against the AWS emulator on 127.0.0.1: each stack is applied as its
 * own scoped CI role, assumed by the provider and the backend themselves from the credentials
 * the job had. The stand-in stacks read `aws_caller_identity` at apply time (the read depends on
 * a resource being created, so Terraform defers it from the plan to the apply) and output it:
 * what the provider was while applying. The plan is made with the job's own credentials.
 */

jest.setTimeout(300_000);

const toolchain = detectToolchain();
const ACCOUNT = '111122223333';
const BUCKET = 'estate-stack-roles-probe';

if (terraformSuiteMayRun('scoped deploy roles with the real terraform', toolchain.missing)) {
  let emulator: Emulator;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    emulator = await startEmulator({ accountId: ACCOUNT });
    env = {
      ...drillEnvironment({ PATH: `${dirname(toolchain.terraform!)}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: tmpdir() }, emulator.endpoint, `http://127.0.0.1:${await freeLoopbackPort()}`),
      // What the credentials step leaves: a session's keys (the emulator accepts any).
      AWS_SESSION_TOKEN: 'job-session',
      RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'estate-runner-temp-')),
    };
    const created = await fetch(`${emulator.endpoint}/${BUCKET}`, {
      method: 'PUT',
      body: '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>us-west-1</LocationConstraint></CreateBucketConfiguration>',
    });
    if (!created.ok) throw new Error(`the emulator did not create ${BUCKET}: ${created.status} ${await created.text()}`);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  /** Each stack: a marker to create, the identity read while applying, its state in the emulator's bucket. */
  const standIns = (config: EstateConfig) =>
    Object.fromEntries(
      deploySequence(config).map((s) => {
        const region = s.stack.endsWith('us-east-2') ? 'us-east-2' : 'us-west-1';
        const endpoints = { s3: emulator.endpoint, sts: emulator.endpoint };
        return [
          s.stack,
          JSON.stringify({
            terraform: {
              required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } },
              backend: { s3: { bucket: BUCKET, key: `${s.stack}.tfstate`, region: 'us-west-1', use_path_style: true, endpoints } },
            },
            provider: { aws: [{ region, s3_use_path_style: true, skip_metadata_api_check: 'true', endpoints: [endpoints] }] },
            resource: { terraform_data: { marker: { input: s.stack } } },
            data: { aws_caller_identity: { applier: { depends_on: ['terraform_data.marker'] } } },
            output: { applied_as: { value: '${data.aws_caller_identity.applier.arn}' } },
          }),
        ];
      }),
    );

  async function deploy(argv: string[]) {
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
    const error = jest.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    try {
      const code = await main([...argv, `--provider-mirror=${toolchain.mirror}`], env, { synthesize: standIns, workDir: mkdtempSync(join(tmpdir(), 'estate-stack-roles-work-')) });
      return { code, output: lines.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
      write.mockRestore();
    }
  }

  test('each stack of a phase is applied as its own scoped role, assumed by the provider and the backend from the job\'s credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'estate-stack-roles-plans-'));
    const planned = await deploy(['regional', '--plan', dir]);
    expect([planned.code, planned.output]).toEqual([0, expect.stringContaining('regional-us-west-1 | **changes**')]);

    const applied = await deploy(['regional', '--apply', dir, '--assume-stack-roles', 'env']);
    expect([applied.code, applied.output]).toEqual([
      0,
      expect.stringContaining('deploy: each stack applied as its own role: regional-us-east-2 as dr-estate-prod-ci-deploy-us-east-2, regional-us-west-1 as dr-estate-prod-ci-deploy-us-west-1'),
    ]);
    for (const region of ['us-east-2', 'us-west-1']) {
      const output = await runTerraform(toolchain.terraform!, ['output', '-raw', 'applied_as'], { cwd: join(dir, `regional-${region}`), env });
      expect([region, output.stdout]).toEqual([region, expect.stringMatching(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/dr-estate-prod-ci-deploy-${region}/deploy-\\d+-deploy-${region}$`))]);
    }
    // The job's keys were moved into a private file for the apply, and removed with it.
    expect(readdirSync(env.RUNNER_TEMP!)).toEqual([]);
  });

  test('without credentials in the environment it refuses before applying anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'estate-stack-roles-plans-'));
    expect((await deploy(['dns', '--plan', dir])).code).toBe(0);
    const saved = env;
    env = { ...env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
    try {
      const refused = await deploy(['dns', '--apply', dir, '--assume-stack-roles', 'env']);
      expect([refused.code, refused.output]).toEqual([2, expect.stringContaining('deploy: --assume-stack-roles env: no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment')]);
    } finally {
      env = saved;
    }
    expect(existsSync(join(dir, 'dns-global', 'terraform.tfstate'))).toBe(false);
  });
}
