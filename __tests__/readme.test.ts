import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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
