import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estate } from '../config/estate';
import { FIELD_DOCS } from '../config/schema/docs';
import { main as docs } from '../scripts/docs/cli';
import { configFields, configReference, withReference } from '../scripts/docs/config-reference';
import { resolveConfig } from '../config/load';
import { quotaTable } from '../config/quotas';
import { synthEstate } from './helpers';

/*
 * The README is the users' contract: its quick start is the one install, synth and test
 * command, and every npm script the project has is documented in it.
 */

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

test('the quick start is npm ci, one synth command and npm test', () => {
  const quickStart = /## Quick start\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  expect(quickStart.split('\n').map((l) => l.split('#')[0].trim()).filter(Boolean)).toEqual(['npm ci', 'npm run synth', 'npm test']);
});

test.each(scripts)('npm script "%s" is documented', (script) => {
  const escaped = script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = script === 'test' ? /`npm test`/ : new RegExp(`\`npm run ${escaped}(?![\\w:-])`);
  expect([script, pattern.test(readme)]).toEqual([script, true]);
});

test('.ci/run installs from the lockfile and runs the README\'s test command', () => {
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
  expect(ci).toMatch(/^npm ci\b/m);
  expect(ci).toMatch(/^npm test$/m);
});

// cdktf refuses `deploy <stack>` when a stack it depends on is not deployed in the same command
// (@cdktf/cli-core checkIfAllDependenciesAreIncluded) unless --ignore-missing-stack-dependencies
// is given: every single-stack deploy the README tells an operator to run must carry it when
// the stack has dependencies, or the command fails as written.
test('every README deploy command for a stack with dependencies runs as written (skips cdktf\'s dependency check)', () => {
  const estate = synthEstate();
  const all = [
    ...Object.values(estate.stacks.bootstrap),
    ...Object.values(estate.stacks.regional),
    ...Object.values(estate.stacks.monitoring),
    estate.stacks.dr,
  ];
  const dependencies = new Map(all.map((s) => [s.node.id, s.dependencies.length]));
  const commands = [...readme.matchAll(/(?:npm run deploy --|cdktf deploy) ([a-z0-9-]+)([^\n`]*)/g)];
  expect(commands.length).toBeGreaterThan(3);
  for (const [command, stack, rest] of commands) {
    if (!dependencies.get(stack)) continue;
    expect([command, rest.includes('--ignore-missing-stack-dependencies')]).toEqual([command, true]);
  }
});

test('the README\'s quota table is the one computed from the committed config', () => {
  const table = /<!-- quotas:start -->\n([\s\S]*?)\n<!-- quotas:end -->/.exec(readme)?.[1];
  expect(table).toBe(quotaTable(resolveConfig(estate)));
});

describe('the configuration reference', () => {
  test('is the one generated from the schema (npm run docs)', () => {
    expect(withReference(readme)).toBe(readme);
  });

  test('documents every config field, and only config fields', () => {
    expect(Object.keys(FIELD_DOCS).sort()).toEqual(configFields().map((f) => f.path).sort());
  });

  test('gives the schema\'s defaults, "required" where there is none, and the derived ones in words', () => {
    const table = configReference();
    expect(table).toContain('| `appTier.instanceType` | `t3.micro` |');
    expect(table).toContain('| `primary.azCount` | `3` |');
    expect(table).toContain('| `accountId` | **required** |');
    expect(table).toContain('| `dns.zoneName` | **required** |');
    expect(table).toContain('| `dns.createZone` | `false` |');
    expect(table).toContain('| `stateBackend.lockTableName` | `<project>-<environment>-tflock` |');
  });

  test('npm run docs -- --check fails on an out-of-date README, and npm run docs brings it up to date', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'estate-docs-')), 'README.md');
    writeFileSync(file, readme.replace('| `dns.createZone` | `false` |', '| `dns.createZone` | `true` |'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await docs(['--check'], {}, file)).toBe(1);
      expect(error).toHaveBeenCalledWith('docs: the configuration reference in README.md is out of date; run npm run docs');
      expect(await docs([], {}, file)).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(readme);
      expect(await docs(['--check'], {}, file)).toBe(0);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});
