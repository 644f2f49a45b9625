import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estate } from '../config/estate';
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
