import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { EstateConfig } from '../config/load';

/*
 * Synthesized estates, shared by every test file and worker of a run (and by later runs) on disk.
 *
 * Dozens of test files read the estate of the same few configs (the committed one, the postures
 * of the DR cycle). Each jest file has its own module registry, so building the estate in each
 * costs a fresh load of cdktf and the provider classes and a synthesis: most of the unit suite's
 * time. Here a synthesis is stored under a key made of the resolved config (everything the
 * estate is built from) and the content of everything a synthesis can depend on (config/,
 * constructs/, stacks/, the lockfile), so a cached result is exactly what synthesizing again
 * would give; any edit to those makes a new key. Only entries of the current sources are kept.
 */

const ROOT = join(__dirname, '..');
/** What a synthesis can depend on: the estate's code and assets, and the installed packages. */
const INPUTS = ['config', 'constructs', 'stacks', 'package-lock.json'];
/** Bumped when the stored form changes. */
const FORMAT = 'estate-synth-1';
const CACHE_ROOT = join(ROOT, 'node_modules', '.cache', 'dr-estate-synth');

let sourceHash: string | undefined;

/** The content hash of the input files under a root (their paths and bytes). */
export function sourcesHashOf(root: string, inputs: readonly string[] = INPUTS): string {
  const hash = createHash('sha256').update(FORMAT);
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
      return;
    }
    hash.update(`\0${relative(root, path)}\0`).update(readFileSync(path));
  };
  for (const input of inputs) visit(join(root, input));
  return hash.digest('hex').slice(0, 16);
}

/** The hash of this tree's inputs, computed once per test file. */
function sourcesHash(): string {
  sourceHash ??= sourcesHashOf(ROOT);
  return sourceHash;
}

/** The folder of the current sources' entries; entries of other sources are removed. */
function currentFolder(): string {
  const folder = join(CACHE_ROOT, sourcesHash());
  try {
    statSync(folder);
  } catch {
    mkdirSync(folder, { recursive: true });
    for (const other of readdirSync(CACHE_ROOT)) {
      if (join(CACHE_ROOT, other) !== folder) rmSync(join(CACHE_ROOT, other), { recursive: true, force: true });
    }
  }
  return folder;
}

/**
 * Every stack's Terraform JSON text by stack name, for a resolved config: read from the cache,
 * or made by `synthesize` (which must synthesize exactly that config) and stored.
 */
export function cachedSynthesis(
  config: EstateConfig,
  synthesize: () => Record<string, string>,
  folder: string = currentFolder(),
): Record<string, string> {
  const key = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 24);
  const file = join(folder, `${key}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    const texts = synthesize();
    // Written whole, then renamed: another worker never reads a half-written entry.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(texts));
    renameSync(partial, file);
    return texts;
  }
}
