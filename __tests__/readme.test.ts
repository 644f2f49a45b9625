import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { main as docs } from '../scripts/docs/cli';
import { configFields, configReference } from '../scripts/docs/config-reference';
import { headingAnchor } from '../scripts/docs/anchor';
import { GENERATED, withSection } from '../scripts/docs/generated';
import { operatorDocs, synthEstate } from './helpers';

/*
 * The README is the users' front door and contract: short, its quick start the one install,
 * synth and test command, every npm script the project has in its command table, and every
 * operators' doc in docs/ linked from it. The docs' generated parts are current.
 */

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const docFiles = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort();
const docsText = (file: string) => readFileSync(join(root, 'docs', file), 'utf8');

test('the README is the front door: at most 250 lines, and every doc in docs/ is linked from it', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  expect(docFiles).toEqual(['architecture.md', 'ci-cd.md', 'configuration.md', 'decisions.md', 'runbook.md', 'security.md', 'testing.md']);
  for (const file of docFiles) expect([file, readme.includes(`](docs/${file})`)]).toEqual([file, true]);
});

test('the runbook holds the decision tree and the state diagram', () => {
  const runbook = docsText('runbook.md');
  expect(runbook).toMatch(/```mermaid\nflowchart TD\n/);
  expect(runbook).toMatch(/```mermaid\nstateDiagram-v2\n/);
});


test('every relative link in the README and docs/ leads to a file that exists, and every #anchor to a heading in it', () => {
  const broken: string[] = [];
  for (const { file: from, text } of operatorDocs()) {
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const file = path ? normalize(join(dirname(from), path)) : from;
      if (!existsSync(join(root, file))) {
        broken.push(`${from}: ${target} (no ${file})`);
        continue;
      }
      if (!anchor) continue;
      const headings = [...readFileSync(join(root, file), 'utf8').matchAll(/^#{1,4} (.*)$/gm)].map(([, h]) => headingAnchor(h));
      if (!headings.includes(anchor)) broken.push(`${from}: ${target} (no heading #${anchor} in ${file})`);
    }
  }
  expect(broken).toEqual([]);
});
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
// is given: every single-stack cdktf deploy a doc tells an operator to run must carry it when
// the stack has dependencies, or the command fails as written.
test('every raw cdktf deploy command in the README and docs/ for a stack with dependencies runs as written (skips cdktf\'s dependency check)', () => {
  const estate = synthEstate();
  const all = [
    ...Object.values(estate.stacks.bootstrap),
    ...Object.values(estate.stacks.regional),
    ...Object.values(estate.stacks.monitoring),
    estate.stacks.dns,
  ];
  const dependencies = new Map(all.map((s) => [s.node.id, s.dependencies.length]));
  const text = operatorDocs().map((d) => d.text).join('\n');
  const commands = [...text.matchAll(/(?:npm run deploy --|cdktf deploy) ([a-z0-9-]+)([^\n`]*)/g)];
  expect(commands.length).toBeGreaterThan(0);
  for (const [command, stack, rest] of commands) {
    if (!dependencies.get(stack)) continue;
    expect([command, rest.includes('--ignore-missing-stack-dependencies')]).toEqual([command, true]);
  }
});

test.each(GENERATED.map((s) => [s.name, s.file, s] as const))('the generated %s in %s is current (npm run docs)', (_name, file, section) => {
  const text = readFileSync(join(root, file), 'utf8');
  expect(withSection(text, section)).toBe(text);
});

describe('the configuration reference', () => {
  test('every config field carries its description on the field itself (.meta), which the reference prints', () => {
    const fields = configFields();
    expect(fields.length).toBeGreaterThan(70);
    expect(fields.filter((f) => !f.description).map((f) => f.path)).toEqual([]);
    expect(configReference()).toContain('| `primary.azCount` | `3` | 2 to 4 AZs, taken in order from the region\'s `aws_availability_zones` |');
    expect(configReference()).toContain('| `appTier.deletionProtection` | `true` when `environment` is `prod` | ALB deletion protection |');
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

  test('npm run docs -- --check fails on an out-of-date doc, and npm run docs brings it up to date', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'estate-docs-'));
    cpSync(join(root, 'docs'), join(copy, 'docs'), { recursive: true });
    const file = join(copy, 'docs', 'configuration.md');
    const current = readFileSync(file, 'utf8');
    writeFileSync(file, current.replace('| `dns.createZone` | `false` |', '| `dns.createZone` | `true` |'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await docs(['--check'], {}, copy)).toBe(1);
      expect(error).toHaveBeenCalledWith('docs: out of date: docs/configuration.md; run npm run docs');
      expect(await docs([], {}, copy)).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(current);
      expect(await docs(['--check'], {}, copy)).toBe(0);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});
