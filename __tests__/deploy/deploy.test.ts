import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deploySequence } from '../../config/dr';
import { resolveConfig } from '../../config/load';
import { afterSafeHistory } from '../helpers';
import { main } from '../../scripts/deploy/cli';

/*
 * The deploy sequence of each DR state, and `npm run deploy:phase` against a fake `cdktf` first
 * on PATH (__tests__/fixtures/fake-cdktf), which records each deploy and fails the named stacks.
 */

const fakeDir = join(__dirname, '..', 'fixtures', 'fake-cdktf');
const stateOf = (activeRegion: 'us-east-2' | 'us-west-1', reprotects: number) => resolveConfig(afterSafeHistory(activeRegion, reprotects));
const sequence = (activeRegion: 'us-east-2' | 'us-west-1', reprotects: number) =>
  deploySequence(stateOf(activeRegion, reprotects)).map((s) => `${s.phase}: ${s.stack}${s.bestEffort ? ' (best effort)' : ''}`);

describe('deploy sequence', () => {
  test('normal: the primary region first, both regional stacks required, the DNS, then monitoring (best effort: private Kubernetes APIs)', () => {
    expect(sequence('us-east-2', 0)).toEqual([
      'regional: regional-us-east-2',
      'regional: regional-us-west-1',
      'dr: dr-global',
      'monitoring: monitoring-us-east-2 (best effort)',
      'monitoring: monitoring-us-west-1 (best effort)',
    ]);
  });

  test('failover: the DR region up to the DNS flip, then the dark primary region, best effort', () => {
    expect(sequence('us-west-1', 0)).toEqual([
      'regional: regional-us-west-1',
      'dr: dr-global',
      'monitoring: monitoring-us-west-1 (best effort)',
      'passive: regional-us-east-2 (best effort)',
      'passive: monitoring-us-east-2 (best effort)',
    ]);
  });

  test('reprotected: the serving DR region first, the rebuilt primary region required again', () => {
    expect(sequence('us-west-1', 1)).toEqual([
      'regional: regional-us-west-1',
      'regional: regional-us-east-2',
      'dr: dr-global',
      'monitoring: monitoring-us-west-1 (best effort)',
      'monitoring: monitoring-us-east-2 (best effort)',
    ]);
  });

  test('failback: the primary region first, the DR region (no longer replicating) last and best effort', () => {
    expect(sequence('us-east-2', 1)).toEqual([
      'regional: regional-us-east-2',
      'dr: dr-global',
      'monitoring: monitoring-us-east-2 (best effort)',
      'passive: regional-us-west-1 (best effort)',
      'passive: monitoring-us-west-1 (best effort)',
    ]);
  });

  test('every stack but the bootstrap ones is deployed exactly once, in every state', () => {
    for (const [region, reprotects] of [['us-east-2', 0], ['us-west-1', 0], ['us-west-1', 1], ['us-east-2', 1]] as const) {
      const stacks = deploySequence(stateOf(region, reprotects)).map((s) => s.stack).sort();
      expect(stacks).toEqual(['dr-global', 'monitoring-us-east-2', 'monitoring-us-west-1', 'regional-us-east-2', 'regional-us-west-1']);
    }
  });
});

async function deploy(argv: string[], env: NodeJS.ProcessEnv = {}, path = `${fakeDir}:${dirname(process.execPath)}:/usr/bin:/bin`) {
  const dir = mkdtempSync(join(tmpdir(), 'estate-deploy-'));
  const logFile = join(dir, 'calls.log');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(logFile, '');
  writeFileSync(summaryFile, '');
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    const envFile = join(dir, 'envs.log');
    writeFileSync(envFile, '');
    const code = await main(argv, { PATH: path, FAKE_CDKTF_LOG: logFile, FAKE_CDKTF_ENV_LOG: envFile, GITHUB_STEP_SUMMARY: summaryFile, ...env });
    const calls = readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean);
    const envs = readFileSync(envFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string | undefined>);
    return { code, output: lines.join('\n'), calls, envs, summary: readFileSync(summaryFile, 'utf8') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('npm run deploy:phase', () => {
  test('deploys a phase\'s stacks in order, approved, with the active region passed on', async () => {
    const r = await deploy(['regional', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([
      'DR_ACTIVE_REGION= deploy regional-us-east-2 --ignore-missing-stack-dependencies --auto-approve',
      'DR_ACTIVE_REGION= deploy regional-us-west-1 --ignore-missing-stack-dependencies --auto-approve',
    ]);
    expect(r.summary).toContain('- regional-us-west-1: deployed');
  });

  test('all: every phase in order, and nothing for the passive phase in the normal state', async () => {
    const r = await deploy(['all']);
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => c.split(' ')[2])).toEqual([
      'regional-us-east-2',
      'regional-us-west-1',
      'dr-global',
      'monitoring-us-east-2',
      'monitoring-us-west-1',
    ]);
    expect(r.calls[0]).not.toContain('--auto-approve');
    const passive = await deploy(['passive']);
    expect([passive.code, passive.calls, passive.output]).toEqual([0, [], 'deploy: state normal, active us-east-2; nothing in these phases']);
  });

  test('failover with the primary region unreachable: the DR region and the DNS flip deploy, the dark region only warns', async () => {
    const env = { DR_ACTIVE_REGION: 'us-west-1', GITHUB_ACTIONS: 'true', FAKE_CDKTF_FAIL: 'regional-us-east-2,monitoring-us-east-2' };
    const r = await deploy(['all', '--auto-approve'], env);
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => `${c.split(' ')[0]} ${c.split(' ')[2]}`)).toEqual([
      'DR_ACTIVE_REGION=us-west-1 regional-us-west-1',
      'DR_ACTIVE_REGION=us-west-1 dr-global',
      'DR_ACTIVE_REGION=us-west-1 monitoring-us-west-1',
      'DR_ACTIVE_REGION=us-west-1 regional-us-east-2',
      'DR_ACTIVE_REGION=us-west-1 monitoring-us-east-2',
    ]);
    expect(r.output).toContain(
      '::warning::regional-us-east-2 failed (exit 1); its region is the passive one and may be down: deploy it again once the region is reachable (npm run deploy:phase -- passive).',
    );
    expect(r.summary).toContain('- dr-global: deployed');
    expect(r.summary).toContain('- monitoring-us-east-2: **failed**, best effort (exit 1)');
  });

  test('a monitoring stack that cannot reach its private Kubernetes API only warns, after the DNS flip, saying where to run it', async () => {
    const r = await deploy(['all', '--auto-approve'], { DR_ACTIVE_REGION: 'us-west-1', FAKE_CDKTF_FAIL: 'monitoring-us-west-1' });
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => c.split(' ')[2]).indexOf('dr-global')).toBeLessThan(r.calls.map((c) => c.split(' ')[2]).indexOf('monitoring-us-west-1'));
    expect(r.output).toContain(
      "deploy: warning: monitoring-us-west-1 failed (exit 1); it talks to the cluster's private Kubernetes API: run it from inside the region's VPC (a runner there, or over VPN), or list the runner's network in eks.publicAccessCidrs (npm run deploy:phase -- monitoring).",
    );
  });

  test('a required stack that fails stops the deploy: exit 1, and the stacks not deployed are named', async () => {
    const r = await deploy(['all', '--auto-approve'], { FAKE_CDKTF_FAIL: 'regional-us-west-1' });
    expect(r.code).toBe(1);
    expect(r.calls.map((c) => c.split(' ')[2])).toEqual(['regional-us-east-2', 'regional-us-west-1']);
    expect(r.output).toContain(
      'deploy: regional-us-west-1 failed (exit 1); not deployed: dr-global, monitoring-us-east-2, monitoring-us-west-1.',
    );
    expect(r.summary).toContain('- dr-global: not deployed');
  });

  test('--list prints the sequence and deploys nothing', async () => {
    const r = await deploy(['all', '--list'], { DR_ACTIVE_REGION: 'us-west-1' });
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.output).toBe(
      'deploy: state failover, active us-west-1; regional-us-west-1 (regional) -> dr-global (dr) -> monitoring-us-west-1 (monitoring, best effort) -> regional-us-east-2 (passive, best effort) -> monitoring-us-east-2 (passive, best effort)',
    );
  });

  test('--list gives a pipeline each phase\'s stacks as step outputs', async () => {
    const outputFile = join(mkdtempSync(join(tmpdir(), 'estate-deploy-out-')), 'output');
    await deploy(['all', '--list'], { DR_ACTIVE_REGION: 'us-west-1', GITHUB_OUTPUT: outputFile });
    expect(readFileSync(outputFile, 'utf8')).toBe(
      'regional=regional-us-west-1\ndr=dr-global\nmonitoring=monitoring-us-west-1\npassive=regional-us-east-2 monitoring-us-east-2\n',
    );
    await deploy(['passive', '--list'], { GITHUB_OUTPUT: outputFile });
    expect(readFileSync(outputFile, 'utf8').split('\n').slice(-2)).toEqual(['passive=', '']);
  });

  test('fails if a phase is unknown (a usage error: exit 2)', async () => {
    const r = await deploy(['bootstrap']);
    expect([r.code, r.output]).toEqual([2, 'deploy: phase is "bootstrap", expected one of regional, dr, monitoring, passive or all.']);
  });

  test('fails if no phase is named', async () => {
    const r = await deploy(['--auto-approve']);
    expect(r.code).toBe(2);
    expect(r.output).toBe('deploy: name at least one phase (regional, dr, monitoring, passive or all); see npm run deploy:phase -- --help.');
  });

  test('--auto-approve=true is refused like any value given to a switch, --list=... too', async () => {
    const r = await deploy(['all', '--list=yes']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/^deploy: Option '--list' does not take an argument; see npm run deploy:phase -- --help\.$/);
  });

  test('--provider-mirror=DIR (or TF_PROVIDER_MIRROR) makes cdktf install providers from the mirror, and the update check is off', async () => {
    const mirror = mkdtempSync(join(tmpdir(), 'estate-mirror-'));
    mkdirSync(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', 'linux_amd64'), { recursive: true });
    const r = await deploy(['regional', '--auto-approve', `--provider-mirror=${mirror}`], {});
    expect(r.code).toBe(0);
    expect(r.output).toContain(`deploy: providers from ${mirror} where it holds them, the rest from the registry`);
    expect(r.envs.every((e) => e.CHECKPOINT_DISABLE === '1' && e.TF_CLI_CONFIG_FILE?.endsWith('terraformrc'))).toBe(true);
    expect(readFileSync(r.envs[0].TF_CLI_CONFIG_FILE!, 'utf8')).toContain(`path = ${JSON.stringify(mirror)}`);
    const empty = await deploy(['regional', '--auto-approve'], { TF_PROVIDER_MIRROR: tmpdir() });
    expect([empty.code, empty.output]).toEqual([2, expect.stringMatching(/^deploy: the provider mirror ".*" \(--provider-mirror or TF_PROVIDER_MIRROR\) holds no registry\.terraform\.io\/ folder/)]);
  });

  test('a stack whose state another deploy holds is waited for: plan and apply take the lock with a timeout', async () => {
    const r = await deploy(['regional', '--auto-approve'], {});
    expect(r.code).toBe(0);
    expect(r.envs.length).toBeGreaterThan(0);
    for (const e of r.envs) expect([e.TF_CLI_ARGS_plan, e.TF_CLI_ARGS_apply]).toEqual(['-lock-timeout=20m', '-lock-timeout=20m']);
    const own = await deploy(['regional', '--auto-approve'], { TF_CLI_ARGS_apply: '-lock-timeout=1h' });
    expect(own.envs[0].TF_CLI_ARGS_apply).toBe('-lock-timeout=1h');
  });

  describe('--guard-live-dns (deploys from a push)', () => {
    const terraformDir = join(__dirname, '..', 'fixtures', 'fake-terraform');
    const withLiveDns = (live: string | undefined) => {
      const scenario = join(mkdtempSync(join(tmpdir(), 'estate-guard-')), 'scenario.json');
      const output = live ? { active_region: { value: live, type: 'string', sensitive: false } } : {};
      writeFileSync(scenario, JSON.stringify({ 'dr-global': { output: { code: 0, stdout: JSON.stringify(output) } } }));
      return { FAKE_TERRAFORM_SCENARIO: scenario };
    };
    const path = `${fakeDir}:${terraformDir}:${dirname(process.execPath)}:/usr/bin:/bin`;

    test('refuses, deploying nothing, when the live DNS serves another region than the committed one (an override-only switch)', async () => {
      const r = await deploy(['regional', '--auto-approve', '--guard-live-dns'], withLiveDns('us-west-1'), path);
      expect(r.code).toBe(2);
      expect(r.calls).toEqual([]);
      expect(r.output).toContain(
        'deploy: the live DNS serves us-west-1 (the DR stack was last deployed with it, by an override), but this push deploys the committed activeRegion us-east-2 and would move it back. Commit the switch first',
      );
    });

    test('deploys when the live DNS serves the committed region, or when no DR stack was deployed yet', async () => {
      const same = await deploy(['regional', '--auto-approve', '--guard-live-dns'], withLiveDns('us-east-2'), path);
      expect([same.code, same.calls.length]).toEqual([0, 2]);
      expect(same.output).toContain('deploy: the live DNS serves us-east-2; this deploy keeps it on us-east-2');
      const first = await deploy(['regional', '--auto-approve', '--guard-live-dns'], withLiveDns(undefined), path);
      expect([first.code, first.output]).toEqual([0, expect.stringContaining('the live DNS serves nothing yet (no DR stack deployed)')]);
    });

    test('an override that matches the live DNS deploys (the dispatch that keeps a failover)', async () => {
      const r = await deploy(['regional', '--auto-approve', '--guard-live-dns'], { ...withLiveDns('us-west-1'), DR_ACTIVE_REGION: 'us-west-1' }, path);
      expect(r.code).toBe(0);
    });

    test('fails, deploying nothing, when the state cannot be read or terraform is missing', async () => {
      const scenario = join(mkdtempSync(join(tmpdir(), 'estate-guard-')), 'scenario.json');
      writeFileSync(scenario, JSON.stringify({ 'dr-global': { init: { code: 1, stderr: 'Error: No valid credential sources found\n' } } }));
      const r = await deploy(['regional', '--auto-approve', '--guard-live-dns'], { FAKE_TERRAFORM_SCENARIO: scenario }, path);
      expect([r.code, r.calls]).toEqual([1, []]);
      expect(r.output).toContain("deploy: could not read the DR stack's state (terraform init exited 1): Error: No valid credential sources found");
      const none = await deploy(['regional', '--auto-approve', '--guard-live-dns'], {});
      expect([none.code, none.output]).toEqual([2, expect.stringContaining('no terraform executable on PATH')]);
    });
  });

  test('fails if DR_ACTIVE_REGION is not one of the estate\'s regions', async () => {
    const r = await deploy(['all'], { DR_ACTIVE_REGION: 'eu-west-1' });
    expect(r.code).toBe(2);
    expect(r.calls).toEqual([]);
    expect(r.output).toMatch(/^deploy: invalid estate config: .*eu-west-1/);
  });

  test('fails at once, saying how to get it, when cdktf is not on PATH', async () => {
    const r = await deploy(['all'], {}, `${dirname(process.execPath)}:/nonexistent`);
    expect(r.code).toBe(2);
    expect(r.output).toContain(
      'deploy: no cdktf executable on PATH. Run "npm ci" first, then this command through npm run (it puts node_modules/.bin on PATH).',
    );
  });
});
