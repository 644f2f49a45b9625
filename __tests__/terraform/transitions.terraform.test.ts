import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffEstates, type ResourceChange } from '../../scripts/dr/diff';
import type { StackJson } from '../../scripts/dr/synthesize';
import { detectToolchain, requiredProviders, writeCliConfig } from '../../scripts/terraform/toolchain';
import { runTransitionCase, writeTransitionCase, type TransitionCase } from './harness/transitions';
import { DR_CYCLE, inPosition, synthesizedStacks } from '../helpers';
import { terraformSuiteMayRun } from './harness/gate';

/*
 * Plan-level proof of every DR transition, with the real AWS provider and no account: for each
 * stack a transition changes, the earlier posture is applied with every resource overridden
 * and the later one is planned against it (refresh = false). The later posture carries
 * prevent_destroy on every resource, so a transition that would replace or destroy anything
 * fails; and each change the JSON diff predicts must appear in the plan as that action.
 */

jest.setTimeout(900_000);

const postures = DR_CYCLE.map((p, i) => ({
  label: i === DR_CYCLE.length - 1 ? `${p.label} again` : p.label,
  stacks: synthesizedStacks(inPosition(p)) as Record<string, StackJson>,
}));

const toolchain = detectToolchain();

interface Case extends TransitionCase {
  readonly stack: string;
  readonly changes: readonly ResourceChange[];
}

const overridesOf = (stack: string) => join(__dirname, 'tftest', stack.split('-')[0], 'overrides.hcl');

const cases: Case[] = postures.slice(1).flatMap((after, i) => {
  const before = postures[i];
  const changes = diffEstates(before.stacks, after.stacks);
  return [...new Set(changes.map((c) => c.stack))].map((stack) => ({
    name: `${stack}: ${before.label} -> ${after.label}`,
    stack,
    before: before.stacks[stack],
    after: after.stacks[stack],
    // Stacks with no overrides file (monitoring) cannot be planned offline: their providers are
    // not in the mirror, and they are left out below.
    overrides: existsSync(overridesOf(stack)) ? readFileSync(overridesOf(stack), 'utf8') : '',
    changes: changes.filter((c) => c.stack === stack),
  }));
});

test('every transition of the cycle changes at least one stack', () => {
  expect(cases.map((c) => c.name)).toEqual([
    // No monitoring stack: nothing in them follows the posture.
    'dns-global: normal -> failover',
    'regional-us-east-2: normal -> failover',
    'regional-us-west-1: normal -> failover',
    'dns-global: failover -> reprotected',
    'regional-us-east-2: failover -> reprotected',
    'dns-global: reprotected -> failback',
    'regional-us-east-2: reprotected -> failback',
    'regional-us-west-1: reprotected -> failback',
    'dns-global: failback -> normal again',
    'regional-us-west-1: failback -> normal again',
  ]);
});

if (terraformSuiteMayRun('transition plans', toolchain.missing)) {
  const scratch = mkdtempSync(join(tmpdir(), 'estate-transitions-'));
  const results = new Map<string, Awaited<ReturnType<typeof runTransitionCase>>>();
  const runnable = cases.filter((c) => requiredProviders(c.after as never).every((p) => toolchain.providers.has(p)));

  beforeAll(async () => {
    const cliConfigFile = writeCliConfig(toolchain.mirror!, scratch);
    let next = 0;
    const worker = async () => {
      while (next < runnable.length) {
        const testCase = runnable[next++];
        const dir = join(scratch, testCase.name.replace(/[^a-z0-9]+/gi, '-'));
        writeTransitionCase(dir, testCase);
        results.set(testCase.name, await runTransitionCase(toolchain.terraform!, dir, cliConfigFile, testCase));
      }
    };
    await Promise.all([worker(), worker()]);
  });

  const unrunnable = cases.filter((c) => !runnable.includes(c));
  if (unrunnable.length) {
    console.warn(
      `*** TRANSITION PLANS SKIPPED for ${unrunnable.map((c) => c.name).join('; ')}: providers not in the mirror (${[
        ...new Set(unrunnable.flatMap((c) => requiredProviders(c.after as never).filter((p) => !toolchain.providers.has(p)))),
      ].join(', ')}); their changes are checked on the JSON (__tests__/dr) ***`,
    );
  }

  test('every changed stack whose providers are in the mirror is checked (all but the monitoring stacks)', () => {
    expect(unrunnable.map((c) => c.stack).filter((stack) => !stack.startsWith('monitoring-'))).toEqual([]);
    expect(runnable.length).toBeGreaterThan(0);
  });

  describe.each(runnable.map((c) => [c.name, c] as const))('%s', (name, testCase) => {
    const output = () => {
      const r = results.get(name);
      return [r?.init, r?.probe, r?.test].map((x) => (x ? `${x.stdout}\n${x.stderr}` : '')).join('\n');
    };

    test('plans with the real provider and replaces nothing, and destroys nothing but the standby route into a detached old writer', () => {
      const r = results.get(name);
      expect([r?.init.code, r?.probe?.code, r?.test?.code]).toEqual([0, 0, 0]);
      expect(r?.test?.stdout).toContain('run "after"... pass');
      expect(r?.test?.stdout).not.toMatch(/must be replaced/);
      const destroyed = [...(r?.test?.stdout ?? '').matchAll(/# (\S+) will be destroyed/g)].map((m) => m[1]);
      expect(destroyed.filter((address) => address !== 'aws_route53_record.failover_app_standby')).toEqual([]);
      if (r?.test?.code !== 0) throw new Error(output());
    });

    test('each predicted change appears in the plan as that action', () => {
      const plan = (results.get(name)?.test?.stdout ?? '').split('run "after"')[1] ?? '';
      const verb = { update: 'will be updated in-place', create: 'will be created', forget: 'will no longer be managed by Terraform', delete: 'will be destroyed' };
      for (const change of testCase.changes) {
        if (change.action === 'delete') expect(change.address).toBe('aws_route53_record.failover_app_standby');
        // A resource with `count` shows in the plan with its index (`failover_monitoring[0]`).
        const address = change.address.replace(/[.[\]]/g, '\\$&');
        expect(plan).toMatch(new RegExp(`# ${address}(\\[\\d+\\])? ${verb[change.action as keyof typeof verb]}`));
      }
    });
  });
}
