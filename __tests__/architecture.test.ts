import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/*
 * The layering and the size of the units: config -> constructs -> stacks -> scripts, each layer
 * importing only from the ones before it; scripts take only the estate builder from stacks/;
 * the test harness lives with the tests; no source file outside the tests is over 300 lines.
 */

const root = join(__dirname, '..');
const LAYERS = ['config', 'constructs', 'stacks', 'scripts'] as const;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(root, path)];
  });
}

const sources = [...LAYERS.flatMap((layer) => filesUnder(join(root, layer))), 'main.ts'].filter((f) => /\.(ts|mjs|js|sh|py)$/.test(f));

/** The project files a source imports, relative to the project root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)].map((m) => relative(root, join(root, file, '..', m[1])));
}

test('no source file is over 300 lines', () => {
  const over = sources.map((file) => [file, readFileSync(join(root, file), 'utf8').split('\n').length] as const).filter(([, lines]) => lines > 300);
  expect(sources.length).toBeGreaterThan(100);
  expect(over.map(([file, lines]) => `${file}: ${lines} lines`)).toEqual([]);
});

test.each(LAYERS.map((layer, i) => [layer, LAYERS.slice(i + 1)] as const))('%s imports nothing from a later layer', (layer, later) => {
  const offending = sources
    .filter((f) => f.startsWith(`${layer}/`))
    .flatMap((f) => importsOf(f).filter((target) => later.some((l) => target.startsWith(`${l}/`)) || target.startsWith('__tests__')).map((t) => `${f} -> ${t}`));
  expect(offending).toEqual([]);
});

test('constructs never read the app config (its schema, defaults or loaded values): the estate passes what they need as props', () => {
  const offending = sources
    .filter((f) => f.startsWith('constructs/'))
    .flatMap((f) => importsOf(f).filter((t) => /^config\/(schema|load|estate)\b/.test(t)).map((t) => `${f} -> ${t}`));
  expect(offending).toEqual([]);
});

test('scripts take only the estate builder from stacks/', () => {
  const fromStacks = sources.filter((f) => f.startsWith('scripts/')).flatMap((f) => importsOf(f).filter((t) => t.startsWith('stacks/')));
  expect([...new Set(fromStacks)]).toEqual(['stacks/estate']);
});

test('the terraform test harness lives with the tests, not beside the operator scripts', () => {
  // Nothing under scripts/ is a test harness: no script imports jest or a test helper.
  const harness = sources.filter((f) => f.startsWith('scripts/') && /\bfrom '(@jest\/[^']+|[^']*__tests__[^']*)'|\bjest\./.test(readFileSync(join(root, f), 'utf8')));
  expect(harness).toEqual([]);
  expect(filesUnder(join(root, '__tests__', 'terraform', 'harness')).length).toBeGreaterThan(0);
});
