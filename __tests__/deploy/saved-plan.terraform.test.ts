import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deploySequence } from '../../scripts/deploy/order';
import type { EstateConfig } from '../../config/load';
import { main } from '../../scripts/deploy/cli';
import { detectToolchain } from '../../scripts/terraform/toolchain';
import { terraformSuiteMayRun } from '../terraform/harness/gate';

/*
 * The saved-plan deploy with the real terraform: `deploy:phase -- <phase> --plan DIR` in one
 * step, `--apply DIR` in the next, as the pipelines run them. The estate's stacks are stood in
 * for by stacks of the same names holding one `terraform_data` each (built into terraform: no
 * provider, no AWS), whose state is a local file, so what was applied can be read back.
 * The rules relied on (Terraform's docs, "terraform apply": "Saved plan mode"): applying a
 * saved plan takes its actions without planning again, from the configuration in the plan
 * file; and it is refused, changing nothing, when the state changed after the plan was made
 * ("Saved plan is stale"). Without terraform this file says so and skips, unless
 * ESTATE_REQUIRE_TERRAFORM=1 (as in CI).
 */

jest.setTimeout(120_000);

const toolchain = detectToolchain();

if (terraformSuiteMayRun('saved-plan deploys with the real terraform', toolchain.terraform ? [] : ['no terraform executable on PATH'])) {
  const stateDir = mkdtempSync(join(tmpdir(), 'estate-saved-plan-state-'));
  /** Every stack of the estate, each one `terraform_data.marker` with a value per posture and release. */
  const standIns = (release: string) => (config: EstateConfig) =>
    Object.fromEntries(
      deploySequence(config).map((s) => [
        s.stack,
        JSON.stringify({
          terraform: { backend: { local: { path: join(stateDir, `${s.stack}.tfstate`) } } },
          resource: { terraform_data: { marker: { input: `${s.stack} ${config.activeRegion} ${release}` } } },
        }),
      ]),
    );
  const markerOf = (stack: string): string | undefined => {
    const file = join(stateDir, `${stack}.tfstate`);
    if (!existsSync(file)) return undefined;
    const state = JSON.parse(readFileSync(file, 'utf8')) as { resources: { instances: { attributes: { input: { value: string } } }[] }[] };
    return state.resources[0]?.instances[0].attributes.input.value;
  };

  async function deploy(argv: string[], options: { release?: string; env?: NodeJS.ProcessEnv; now?: Date } = {}) {
    const lines: string[] = [];
    const outputFile = join(mkdtempSync(join(tmpdir(), 'estate-saved-plan-out-')), 'output');
    writeFileSync(outputFile, '');
    const log = jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
    const error = jest.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    try {
      const code = await main(
        argv,
        { PATH: `${dirname(toolchain.terraform!)}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: stateDir, GITHUB_OUTPUT: outputFile, ...options.env },
        { synthesize: standIns(options.release ?? 'r1'), now: () => options.now ?? new Date(), workDir: mkdtempSync(join(tmpdir(), 'estate-saved-plan-work-')) },
      );
      return { code, output: lines.join('\n'), outputs: readFileSync(outputFile, 'utf8') };
    } finally {
      log.mockRestore();
      error.mockRestore();
      write.mockRestore();
    }
  }

  const plansDir = () => mkdtempSync(join(tmpdir(), 'estate-saved-plans-'));

  test('a phase is planned to saved plans without touching state, then exactly those plans are applied, in order', async () => {
    const dir = plansDir();
    const planned = await deploy(['regional', '--plan', dir]);
    expect([planned.code, planned.outputs]).toEqual([0, expect.stringMatching(/^changes=true\nplan-set=[0-9a-f]{64}\n$/)]);
    expect([markerOf('regional-us-east-2'), markerOf('regional-us-west-1')]).toEqual([undefined, undefined]);
    const set = JSON.parse(readFileSync(join(dir, 'plans.json'), 'utf8'));
    expect(set.stacks.map((s: { stack: string; outcome: string }) => `${s.stack}: ${s.outcome}`)).toEqual([
      'regional-us-east-2: changes',
      'regional-us-west-1: changes',
    ]);
    expect(readFileSync(join(dir, 'plans.md'), 'utf8')).toContain('- create `terraform_data.marker`');
    expect(planned.output).toContain('--- regional-us-east-2: the saved plan ---'); // the plan itself, in the log

    // A newer release synthesizes something else: the reviewed plans are refused, nothing applied.
    const other = await deploy(['regional', '--apply', dir], { release: 'r2' });
    expect(other.code).toBe(2);
    expect(other.output).toContain('deploy: nothing was applied: regional-us-east-2 was planned from another configuration than this commit synthesizes');
    expect(markerOf('regional-us-east-2')).toBeUndefined();

    const applied = await deploy(['regional', '--apply', dir]);
    expect(applied.code).toBe(0);
    expect(applied.output.indexOf('[1/2] regional-us-east-2: applying')).toBeLessThan(applied.output.indexOf('[2/2] regional-us-west-1: applying'));
    expect([markerOf('regional-us-east-2'), markerOf('regional-us-west-1')]).toEqual(['regional-us-east-2 us-east-2 r1', 'regional-us-west-1 us-east-2 r1']);

    const again = await deploy(['regional', '--plan', dir]);
    expect([again.code, again.outputs]).toEqual([0, expect.stringMatching(/^changes=false\nplan-set=[0-9a-f]{64}\n$/)]);
    const nothing = await deploy(['regional', '--apply', dir]);
    expect([nothing.code, nothing.output]).toEqual([0, expect.stringContaining('[1/2] regional-us-east-2: nothing to apply')]);
  });

  test('a stale plan fails, applying nothing of it, and the stacks after it are not applied', async () => {
    const reviewed = plansDir();
    expect((await deploy(['regional', '--plan', reviewed], { release: 'r3' })).code).toBe(0);
    const meanwhile = plansDir();
    expect((await deploy(['regional', '--plan', meanwhile], { release: 'r4' })).code).toBe(0);
    expect((await deploy(['regional', '--apply', meanwhile], { release: 'r4' })).code).toBe(0);
    const stale = await deploy(['regional', '--apply', reviewed], { release: 'r3' });
    expect(stale.code).toBe(1);
    expect(stale.output).toContain('deploy: regional-us-east-2 failed: its state changed after the plan was made');
    expect(stale.output).toContain('Not applied: regional-us-west-1.');
    expect([markerOf('regional-us-east-2'), markerOf('regional-us-west-1')]).toEqual(['regional-us-east-2 us-east-2 r4', 'regional-us-west-1 us-east-2 r4']);
  });

  test('the saved plan file is the one reviewed: a changed file, another posture or an old plan is refused', async () => {
    const dir = plansDir();
    expect((await deploy(['dns', '--plan', dir], { release: 'r5' })).code).toBe(0);
    const late = await deploy(['dns', '--apply', dir], { release: 'r5', now: new Date(Date.now() + 25 * 3_600_000) });
    expect([late.code, late.output]).toEqual([2, expect.stringContaining('longer than the 24 h a plan may wait for its approval')]);
    const failover = await deploy(['dns', '--apply', dir], { release: 'r5', env: { DR_ACTIVE_REGION: 'us-west-1' } });
    expect([failover.code, failover.output]).toEqual([2, expect.stringContaining('the plans were made for the normal state with us-east-2 active, but this deploy is for the failover state')]);
    writeFileSync(join(dir, 'dns-global', 'saved.tfplan'), 'not the reviewed plan');
    const swapped = await deploy(['dns', '--apply', dir], { release: 'r5' });
    expect([swapped.code, swapped.output]).toEqual([2, expect.stringContaining("dns-global's saved plan")]);
    expect(markerOf('dns-global')).not.toBe('dns-global us-east-2 r5');
  });
}
