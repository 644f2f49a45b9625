import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EstateConfig } from '../../config/load';
import { createColors } from 'picocolors';
import { main, synthesizeApp } from '../../scripts/drift/cli';
import { summaryTable } from '../../scripts/drift/report';
import { operatorDocs } from '../helpers';

/*
 * `npm run drift` against a fake terraform first on PATH (__tests__/fixtures/fake-terraform),
 * which replays recorded exit codes and plan documents in Terraform's JSON plan format.
 */

jest.setTimeout(60_000);

const fakeDir = join(__dirname, '..', 'fixtures', 'fake-terraform');
const escape = (text: string) => text.replace(/[[\]\\^$.|?*+(){}]/g, '\\$&');

/*
 * Each review synthesizes into a clean output folder. The tests synthesize each config once
 * (with drift's own synthesizeApp) and copy that output; the stale-file test runs drift's
 * default synthesis itself.
 */
const synthesized = new Map<string, string>();
function synthesizeOnce(outdir: string, config: EstateConfig): void {
  const key = JSON.stringify(config);
  let template = synthesized.get(key);
  if (!template) {
    template = mkdtempSync(join(tmpdir(), 'estate-drift-synth-'));
    synthesizeApp(template, config);
    synthesized.set(key, template);
  }
  cpSync(template, outdir, { recursive: true });
}
const ALL = [
  'bootstrap-us-west-1',
  'bootstrap-us-east-2',
  'regional-us-east-2',
  'regional-us-west-1',
  'dns-global',
  'monitoring-us-east-2',
  'monitoring-us-west-1',
];

/** A plan document with the given resource changes (Terraform's JSON plan format). */
function planDocument(changes: { address: string; type: string; actions: string[] }[]) {
  return {
    format_version: '1.2',
    terraform_version: '1.11.4',
    resource_changes: changes.map((c) => ({
      address: c.address,
      mode: 'managed',
      type: c.type,
      name: c.address.split('.')[1],
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: { actions: c.actions, before: {}, after: {} },
    })),
  };
}

async function drift(
  scenario: object,
  argv: string[] = [],
  path = `${fakeDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
  extraEnv: NodeJS.ProcessEnv = {},
  bootstrapState = true,
  synthesize: (outdir: string, config: EstateConfig) => void = synthesizeOnce,
) {
  const dir = mkdtempSync(join(tmpdir(), 'estate-drift-'));
  // The bootstrap stacks keep state in a local file beside the output folder (as in the project
  // root); without it they are not planned.
  if (bootstrapState) {
    for (const region of ['us-west-1', 'us-east-2']) writeFileSync(join(dir, `terraform.bootstrap-${region}.tfstate`), '{}');
  }
  const scenarioFile = join(dir, 'scenario.json');
  const logFile = join(dir, 'calls.log');
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  writeFileSync(logFile, '');
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    const reportDir = argv.some((a) => a.startsWith('--report-dir')) ? [] : ['--report-dir', join(dir, 'reports')];
    const code = await main(
      [...argv, ...reportDir],
      {
        PATH: path,
        HOME: dir,
        CDKTF_OUTDIR: join(dir, 'out'),
        FAKE_TERRAFORM_SCENARIO: scenarioFile,
        FAKE_TERRAFORM_LOG: logFile,
        FAKE_TERRAFORM_CLI_LOG: join(dir, 'cli-config.log'),
        ...extraEnv,
      },
      { synthesize },
    );
    const cliLog = join(dir, 'cli-config.log');
    return {
      code,
      output: lines.join('\n'),
      dir,
      calls: readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean),
      cliConfigs: existsSync(cliLog) ? readFileSync(cliLog, 'utf8') : '',
    };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

test('in sync: every stack planned in deploy order, exit 0, reports written', async () => {
  const r = await drift({});
  expect(r.code).toBe(0);
  const planned = r.calls.filter((c) => c.split(' ')[1] === 'plan').map((c) => c.split(' ')[0]);
  expect(planned).toEqual(ALL);
  for (const stack of ALL) expect(r.output).toMatch(new RegExp(`^${stack} +in sync +0 +0 +0 +0$`, 'm'));
  expect(r.output).toContain('every stack is in sync');
  expect(r.output).toMatch(/\[1\/7\] bootstrap-us-west-1: planning/);
  const json = JSON.parse(readFileSync(join(r.dir, 'reports', 'drift.json'), 'utf8'));
  expect(json.exitCode).toBe(0);
  expect(json.stacks.map((s: { stack: string; result: string }) => [s.stack, s.result])).toEqual(ALL.map((s) => [s, 'in sync']));
  expect(readFileSync(join(r.dir, 'reports', 'drift.md'), 'utf8')).toContain('| regional-us-east-2 | in sync | 0 | 0 | 0 | 0 |');
});

test('plans only what it just synthesized: a stale file in the output folder is gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'estate-drift-stale-'));
  const stale = join(dir, 'out', 'stacks', 'dns-global', 'cdk.tf');
  mkdirSync(dirname(stale), { recursive: true });
  writeFileSync(stale, 'resource "null_resource" "stale" {}');
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const code = await main(['dns-global', '--report-dir', join(dir, 'reports')], {
      PATH: `${fakeDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: dir,
      CDKTF_OUTDIR: join(dir, 'out'),
    });
    expect(code).toBe(0);
  } finally {
    log.mockRestore();
  }
  expect(existsSync(stale)).toBe(false);
  expect(existsSync(join(dir, 'out', 'stacks', 'dns-global', 'cdk.tf.json'))).toBe(true);
});

test('plans read-only, never prompting, with a detailed exit code and a saved plan', async () => {
  const r = await drift({}, ['regional-us-west-1']);
  expect(r.calls).toEqual([
    expect.stringMatching(/^\S+ version -json$/),
    'regional-us-west-1 init -input=false -no-color',
    'regional-us-west-1 plan -detailed-exitcode -input=false -lock=false -no-color -out=drift.tfplan',
    'regional-us-west-1 show -json -no-color drift.tfplan',
  ]);
});

test('drift: exit 1 (drift found) and the counts of each action', async () => {
  const r = await drift({
    'regional-us-west-1': {
      plan: { code: 2, stdout: 'Plan: 1 to add, 2 to change, 0 to destroy.\n' },
      show: planDocument([
        { address: 'aws_autoscaling_group.app_asg', type: 'aws_autoscaling_group', actions: ['update'] },
        { address: 'aws_ec2_instance_state.git_state', type: 'aws_ec2_instance_state', actions: ['update'] },
        { address: 'aws_route.network_public_default_route', type: 'aws_route', actions: ['create'] },
        { address: 'aws_vpc.network_vpc', type: 'aws_vpc', actions: ['no-op'] },
      ]),
    },
  });
  expect(r.code).toBe(1);
  expect(r.output).toMatch(/^regional-us-west-1 +drift +1 +2 +0 +0$/m);
  expect(r.output).toMatch(/^regional-us-east-2 +in sync/m);
  expect(r.output).toContain('drift found');
  expect(r.output).not.toContain('STATEFUL');
});

test('a stateful resource that would be replaced or deleted is called out', async () => {
  const r = await drift({
    'regional-us-east-2': {
      plan: { code: 2 },
      show: planDocument([
        { address: 'aws_db_instance.database_instance_1', type: 'aws_db_instance', actions: ['delete', 'create'] },
        { address: 'aws_ebs_volume.git_data_volume', type: 'aws_ebs_volume', actions: ['delete'] },
        { address: 'aws_launch_template.app_launch_template', type: 'aws_launch_template', actions: ['create', 'delete'] },
      ]),
    },
  });
  expect(r.code).toBe(1);
  expect(r.output).toMatch(/^regional-us-east-2 +drift +0 +0 +2 +1$/m);
  expect(r.output).toContain('!! STATEFUL REPLACE: regional-us-east-2 aws_db_instance.database_instance_1 would be replaced');
  expect(r.output).toContain('!! STATEFUL DELETE: regional-us-east-2 aws_ebs_volume.git_data_volume would be deleted');
  expect(r.output).not.toContain('aws_launch_template.app_launch_template would be');
  const md = readFileSync(join(r.dir, 'reports', 'drift.md'), 'utf8');
  expect(md).toContain('## Stateful resources that would be replaced or deleted');
  expect(md).toContain('- **replace** of a stateful resource: `regional-us-east-2` `aws_db_instance.database_instance_1`');
  const json = JSON.parse(readFileSync(join(r.dir, 'reports', 'drift.json'), 'utf8'));
  expect(json.stacks.find((s: { stack: string }) => s.stack === 'regional-us-east-2').stateful).toEqual([
    { address: 'aws_db_instance.database_instance_1', action: 'replace' },
    { address: 'aws_ebs_volume.git_data_volume', action: 'delete' },
  ]);
});

test('on a terminal the stateful warning is bold red and each result has its colour', () => {
  const reviews = [
    { stack: 'regional-us-east-2', result: 'drift', counts: { create: 0, update: 0, replace: 1, delete: 0 }, stateful: [{ address: 'aws_db_instance.database_instance_1', action: 'replace' }], seconds: 1 },
    { stack: 'dns-global', result: 'in sync', counts: { create: 0, update: 0, replace: 0, delete: 0 }, stateful: [], seconds: 1 },
  ] as const;
  const colored = summaryTable(reviews, { color: true });
  const paint = createColors(true);
  expect(colored).toContain(paint.bold(paint.red('!! STATEFUL REPLACE: regional-us-east-2 aws_db_instance.database_instance_1 would be replaced')));
  expect(colored).toMatch(new RegExp(`^regional-us-east-2 +${escape(paint.yellow('drift'))} +0 +0 +1 +0$`, 'm'));
  expect(colored).toMatch(new RegExp(`^dns-global +${escape(paint.green('in sync'))} +0`, 'm'));
  expect(paint.red('x')).toBe('\x1b[31mx\x1b[39m');
  // The columns line up as without colour.
  expect(colored.replace(/\x1b\[[0-9;]*m/g, '')).toBe(summaryTable(reviews));
  expect(summaryTable(reviews)).not.toContain('\x1b');
});

test('a failed plan is an error: exit 1, with terraform\'s error in one line', async () => {
  const r = await drift({
    'dns-global': { plan: { code: 1, stderr: '╷\n│ Error: Unable to find remote state\n│\n╵\n' } },
    'regional-us-west-1': { plan: { code: 2 }, show: planDocument([{ address: 'aws_vpc.network_vpc', type: 'aws_vpc', actions: ['update'] }]) },
  });
  expect(r.code).toBe(1);
  expect(r.output).toMatch(/^dns-global +error +- +- +- +-$/m);
  expect(r.output).toContain('dns-global: plan failed: Error: Unable to find remote state');
  expect(r.output).toContain('drift review failed');
});

test('after a failover, the stacks of the region left behind that cannot be planned (it may be dark) are not reviewed, saying why, and fail nothing', async () => {
  const dark = { plan: { code: 1, stderr: 'Error: reading S3 bucket: dial tcp 3.5.1.1:443: i/o timeout\n' } };
  const r = await drift({ 'regional-us-east-2': dark, 'monitoring-us-east-2': dark, 'bootstrap-us-east-2': dark }, [], undefined, { DR_ACTIVE_REGION: 'us-west-1' });
  expect(r.code).toBe(0);
  expect(r.output).toMatch(/^regional-us-east-2 +skipped/m);
  expect(r.output).toMatch(/^bootstrap-us-east-2 +skipped/m);
  expect(r.output).toContain('regional-us-east-2: skipped, could not be planned, and its region is the one the estate switched away from (');
  expect(r.output).toContain('dial tcp 3.5.1.1:443: i/o timeout');
});

test('in the normal state the same failure is an error: only the region left behind after a switch is excused', async () => {
  const r = await drift({ 'regional-us-east-2': { plan: { code: 1, stderr: 'Error: reading S3 bucket: dial tcp 3.5.1.1:443: i/o timeout\n' } } });
  expect(r.code).toBe(1);
  expect(r.output).toMatch(/^regional-us-east-2 +error/m);
});

test('without AWS credentials every stack reports that it could not authenticate: exit 1', async () => {
  const noCredentials = { init: { code: 1, stderr: '╷\n│ Error: No valid credential sources found\n╵\n' } };
  const r = await drift(Object.fromEntries(ALL.map((s) => [s, noCredentials])));
  expect(r.code).toBe(1);
  for (const stack of ALL) {
    expect(r.output).toContain(`${stack}: init could not authenticate to AWS: no valid credentials`);
  }
  // Terraform's own error follows, whole.
  expect(r.output).toContain('; terraform said: Error: No valid credential sources found');
});

test('without registry access the provider install failure says how to use a local mirror: exit 1', async () => {
  const offline = {
    init: { code: 1, stderr: '╷\n│ Error: Failed to query available provider packages\n│\n│ Could not retrieve the list of available versions for provider hashicorp/aws\n╵\n' },
  };
  const r = await drift({ 'bootstrap-us-east-2': offline }, ['bootstrap-us-east-2']);
  expect(r.code).toBe(1);
  expect(r.output).toContain(
    'bootstrap-us-east-2: init could not install the providers: no access to their registry (run where registry.terraform.io is reachable, or pass --provider-mirror',
  );
});

/** A provider mirror in the unpacked layout terraform reads, holding the AWS provider. */
function fakeMirror(): string {
  const mirror = mkdtempSync(join(tmpdir(), 'estate-mirror-'));
  mkdirSync(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', 'linux_amd64'), { recursive: true });
  return mirror;
}

test('--provider-mirror installs the providers the mirror holds from it, and the rest from the registry', async () => {
  const mirror = fakeMirror();
  const r = await drift({}, ['regional-us-east-2', 'monitoring-us-east-2', '--provider-mirror', mirror]);
  expect(r.code).toBe(0);
  const configs = r.cliConfigs.split(/^(?=\S+ provider_installation)/m).filter(Boolean);
  expect(configs.map((c) => c.split(' ')[0])).toEqual(['regional-us-east-2', 'monitoring-us-east-2']);
  for (const config of configs) {
    expect(config).toContain(`path = ${JSON.stringify(mirror)}`);
    expect(config).toMatch(/filesystem_mirror \{[^}]*include = \["registry.terraform.io\/hashicorp\/aws"\]/);
    expect(config).toMatch(/direct \{\s*exclude = \["registry.terraform.io\/hashicorp\/aws"\]\s*\}/);
  }
});

test('TF_PROVIDER_MIRROR names the mirror when the flag is not given', async () => {
  const mirror = fakeMirror();
  const r = await drift({}, ['dns-global'], undefined, { TF_PROVIDER_MIRROR: mirror });
  expect(r.code).toBe(0);
  expect(r.cliConfigs).toContain(`path = ${JSON.stringify(mirror)}`);
});

test('without a mirror the caller\'s own terraform CLI config is kept', async () => {
  const r = await drift({}, ['dns-global']);
  expect(r.code).toBe(0);
  expect(r.cliConfigs).toBe('');
});

test('fails if the provider mirror holds no registry.terraform.io folder', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'estate-mirror-empty-'));
  const r = await drift({}, ['--provider-mirror', empty]);
  expect(r.code).toBe(2);
  expect(r.output).toBe(
    `drift: the provider mirror "${empty}" (--provider-mirror or TF_PROVIDER_MIRROR) holds no registry.terraform.io/ folder; fill one with "terraform providers mirror <dir>".`,
  );
});

/** An estate before its first bootstrap state move: the bootstrap stacks keep local state files. */
const localBootstrap = (outdir: string, config: EstateConfig) =>
  synthesizeOnce(outdir, { ...config, stateBackend: { ...config.stateBackend, bootstrapStateInS3: false } });

test('a stack whose state is a local file missing here is skipped, not planned as all new', async () => {
  const r = await drift({}, [], undefined, {}, false, localBootstrap);
  expect(r.code).toBe(0);
  const planned = r.calls.filter((c) => c.split(' ')[1] === 'plan').map((c) => c.split(' ')[0]);
  expect(planned).toEqual(ALL.filter((s) => !s.startsWith('bootstrap-')));
  expect(r.output).toMatch(/^bootstrap-us-east-2 +skipped +- +- +- +-$/m);
  expect(r.output).toContain(
    `bootstrap-us-east-2: skipped, its state is a local file that is not on this machine (${join(r.dir, 'terraform.bootstrap-us-east-2.tfstate')}): review it where it was deployed, or move it into S3 (stateBackend.bootstrapStateInS3)`,
  );
  expect(r.output).toContain('every stack reviewed is in sync (2 not reviewed: no state here)');
  const md = readFileSync(join(r.dir, 'reports', 'drift.md'), 'utf8');
  expect(md).toContain('| bootstrap-us-west-1 | **skipped** | - | - | - | - |');
  expect(md).toContain('## Not reviewed');
});

test('fails if no stack could be reviewed', async () => {
  const r = await drift({}, ['bootstrap-us-east-2'], undefined, {}, false, localBootstrap);
  expect(r.code).toBe(1);
  expect(r.output).toContain('drift review failed: no stack could be reviewed');
});

test('stack selection plans only the named stacks, in deploy order', async () => {
  const r = await drift({}, ['dns-global', 'regional-us-east-2']);
  expect(r.code).toBe(0);
  expect(r.calls.filter((c) => c.includes(' plan ')).map((c) => c.split(' ')[0])).toEqual(['regional-us-east-2', 'dns-global']);
});

// Every drift command the README and docs/ print (the runbook's pre-switch check among them)
// runs as written: exit 0 in sync, and each stack it names is planned.
test('every npm run drift command the docs print runs as written', async () => {
  const commands = operatorDocs().flatMap(({ text }) => [...text.matchAll(/npm run drift -- ([^`\n]+)`/g)].map((m) => m[1].trim()));
  const runnable = [...new Set(commands.filter((c) => !/[[<]/.test(c)))];
  expect(runnable).toEqual(expect.arrayContaining(['regional-us-west-1 monitoring-us-west-1 dns-global', 'regional-us-west-1 dns-global']));
  for (const command of runnable) {
    const argv = command.split(/\s+/);
    const r = await drift({}, argv);
    const named = argv.filter((a, i) => !a.startsWith('-') && !argv[i - 1]?.startsWith('--'));
    const planned = r.calls.filter((c) => c.includes(' plan ')).map((c) => c.split(' ')[0]);
    expect([command, r.code, named.filter((s) => !planned.includes(s))]).toEqual([command, 0, []]);
  }
});

test('--secrets skip (a pull request\'s review role) plans only the stacks whose plan opens no secret, and names the others', async () => {
  const r = await drift({}, ['--secrets', 'skip']);
  expect(r.code).toBe(0);
  expect(r.calls.filter((c) => c.includes(' plan ')).map((c) => c.split(' ')[0])).toEqual(['bootstrap-us-west-1', 'bootstrap-us-east-2', 'regional-us-west-1', 'dns-global']);
  expect(r.output).toContain('drift: not reviewed here: regional-us-east-2: planning it opens a secret (it opens aws_secretsmanager_random_password and aws_secretsmanager_secret_version ephemerally)');
  expect(r.output).toContain('drift: not reviewed here: monitoring-us-west-1: planning it opens a secret (its write-only secret versions are read on refresh (terraform-provider-aws#42383))');
});

test('--secrets only (the approved plan job) plans exactly the stacks --secrets skip leaves out', async () => {
  const r = await drift({}, ['--secrets=only']);
  expect(r.code).toBe(0);
  expect(r.calls.filter((c) => c.includes(' plan ')).map((c) => c.split(' ')[0])).toEqual(['regional-us-east-2', 'monitoring-us-east-2', 'monitoring-us-west-1']);
});

test('fails if --secrets is not include, skip or only', async () => {
  const r = await drift({}, ['--secrets', 'some']);
  expect([r.code, r.output]).toEqual([2, 'drift: --secrets is "some", expected include, skip or only.']);
});

test('parallelism plans several stacks at once, and still reports in deploy order', async () => {
  const r = await drift({}, ['--parallel', '3']);
  expect(r.code).toBe(0);
  const json = JSON.parse(readFileSync(join(r.dir, 'reports', 'drift.json'), 'utf8'));
  expect(json.stacks.map((s: { stack: string }) => s.stack)).toEqual(ALL);
});

test('fails if a stack name is unknown', async () => {
  const r = await drift({}, ['regional-eu-west-1']);
  expect(r.code).toBe(2);
  expect(r.output).toContain('drift: no stack named "regional-eu-west-1"; stacks are bootstrap-us-west-1, bootstrap-us-east-2,');
});

test('fails if parallelism is out of bounds', async () => {
  const r = await drift({}, ['--parallel', '20']);
  expect([r.code, r.output]).toEqual([2, 'drift: --parallel is "20", expected a whole number from 1 to 8.']);
  // --name=value is the same option.
  const equals = await drift({}, ['--parallel=0']);
  expect([equals.code, equals.output]).toEqual([2, 'drift: --parallel is "0", expected a whole number from 1 to 8.']);
});

test('fails at once, with what to install, when no terraform is on PATH', async () => {
  const r = await drift({}, [], `${dirname(process.execPath)}:/nonexistent`);
  expect(r.code).toBe(2);
  expect(r.output).toBe(
    'drift: no terraform executable on PATH. Install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install), or OpenTofu and link it as "terraform", then run again.',
  );
  expect(existsSync(join(r.dir, 'reports'))).toBe(false);
});

test('a long provider error about credentials is shown whole, not cut', async () => {
  const detail = `Error: failed to refresh cached credentials, operation error STS: AssumeRoleWithWebIdentity, https response error StatusCode: 403, RequestID: ${'x'.repeat(300)}, api error AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity`;
  const r = await drift({ 'dns-global': { plan: { code: 1, stderr: `╷\n│ ${detail}\n╵\n` } } }, ['dns-global']);
  expect(r.code).toBe(1);
  expect(r.output).toContain(`dns-global: plan could not authenticate to AWS: no valid credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available); terraform said: ${detail}`);
});

test.each([
  ['/proc/estate-reports', 'a special file system; name an ordinary folder.'],
  ['/dev/null/reports', 'a special file system; name an ordinary folder.'],
])('fails at once, before any plan, if --report-dir is %s', async (dir, reason) => {
  const started = Date.now();
  const r = await drift({}, [`--report-dir=${dir}`]);
  expect([r.code, r.output]).toEqual([2, `drift: --report-dir is "${dir}", ${reason}`]);
  expect(r.calls).toEqual([]);
  expect(Date.now() - started).toBeLessThan(5000);
});

test('fails at once if --report-dir cannot be written', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'estate-report-')), 'a-file');
  writeFileSync(file, '');
  const r = await drift({}, ['--report-dir', join(file, 'reports')]);
  expect(r.code).toBe(2);
  expect(r.output).toBe(`drift: --report-dir is "${join(file, 'reports')}", which cannot be written (ENOTDIR); name a folder you can write to.`);
});

test('fails if the config is invalid: exit 2, each problem named, nothing planned', async () => {
  const r = await drift({}, [], undefined, { DR_ACTIVE_REGION: 'eu-west-1' });
  expect(r.code).toBe(2);
  expect(r.output).toMatch(/^drift: invalid estate config: DR_ACTIVE_REGION \(which overrides activeRegion\) is "eu-west-1"/);
  expect(r.calls.filter((c) => c.includes(' plan '))).toEqual([]);
});
