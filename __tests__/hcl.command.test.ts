import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { synthesizedStacks } from './helpers';

/*
 * HCL output (`npm run synth:hcl`) says the same as the JSON: every cdk.tf parses (with
 * @cdktf/hcl2json, the parser cdktf itself uses) and declares exactly the resources, data
 * sources and outputs of the JSON synth.
 */

jest.setTimeout(60_000);

const root = join(__dirname, '..');

/** `npm run synth:hcl` into a fresh folder; its stacks folder. */
function synth(): string {
  const outdir = join(mkdtempSync(join(tmpdir(), 'estate-hcl-')), 'out');
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'app.mjs'), '--clean', '--hcl'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DR_ACTIVE_REGION: '', CDKTF_OUTDIR: outdir },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return join(outdir, 'stacks');
}

// The JSON synth of the same config, from the shared synthesis cache (equal to the app's
// output: __tests__/synth-cache.test.ts, __tests__/main.command.test.ts).
const jsonStacks = synthesizedStacks();
const hclDir = synth();
const stacks = Object.keys(jsonStacks).sort();

/** `type.name` of every block of a kind (`resource`, `data`) and the output names. */
function declared(doc: Record<string, any>) {
  const blocks = (kind: string) =>
    Object.entries(doc[kind] ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`)).sort();
  return { resource: blocks('resource'), data: blocks('data'), output: Object.keys(doc.output ?? {}).sort() };
}

test('the HCL synth writes the same stacks as the JSON synth, as cdk.tf (no cdk.tf.json beside it)', () => {
  expect(readdirSync(hclDir).sort()).toEqual(stacks);
  expect(stacks.length).toBe(7);
  for (const stack of stacks) expect([stack, readdirSync(join(hclDir, stack)).filter((f) => f.startsWith('cdk.'))]).toEqual([stack, ['cdk.tf']]);
});

test.each(stacks)('%s: the HCL parses and declares the same resources, data sources, outputs, backend and required Terraform version', async (stack) => {
  const json = jsonStacks[stack];
  const hcl = await parse(`${stack}.tf`, readFileSync(join(hclDir, stack, 'cdk.tf'), 'utf8'));
  expect(declared(hcl)).toEqual(declared(json));
  const backend = json.terraform.backend!;
  const [backendType] = Object.keys(backend);
  expect(hcl.terraform[0].backend[backendType]).toEqual([backend[backendType]]);
  expect(hcl.terraform[0].required_version).toBe((json.terraform as { required_version?: string }).required_version);
});
