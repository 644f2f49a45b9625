import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config/load';
import { synthesizeEstate } from '../scripts/dr/synthesize';
import { committedInput, inPosition, DR_CYCLE, synthesizeConfig } from './helpers';
import { cachedSynthesis, sourcesHashOf } from './synth-cache';

/*
 * The shared synthesis cache serves most unit tests: it must give exactly what a fresh synthesis
 * gives, and never an entry made from other sources or another config.
 */

test('a cached synthesis is exactly a fresh synthesis of the same config', () => {
  const config = resolveConfig(inPosition(DR_CYCLE[2]));
  expect(synthesizeConfig(config)).toEqual(synthesizeEstate(config));
});

test('an entry is made once per config and served after that; another config is another entry', () => {
  const folder = mkdtempSync(join(tmpdir(), 'estate-cache-'));
  const normal = resolveConfig(committedInput);
  const failover = resolveConfig(committedInput, { activeRegionOverride: 'us-west-1' });
  const calls: string[] = [];
  const synthesize = (label: string) => () => (calls.push(label), { 'dns-global': label });
  expect(cachedSynthesis(normal, synthesize('normal'), folder)).toEqual({ 'dns-global': 'normal' });
  expect(cachedSynthesis(normal, synthesize('normal again'), folder)).toEqual({ 'dns-global': 'normal' });
  expect(cachedSynthesis(failover, synthesize('failover'), folder)).toEqual({ 'dns-global': 'failover' });
  expect(calls).toEqual(['normal', 'failover']);
});

test('the key changes with any edit, addition or removal under config/, constructs/ or stacks/, and with the lockfile', () => {
  const root = mkdtempSync(join(tmpdir(), 'estate-cache-key-'));
  for (const dir of ['config', 'constructs', 'stacks']) mkdirSync(join(root, dir));
  writeFileSync(join(root, 'package-lock.json'), '{}');
  writeFileSync(join(root, 'constructs', 'network.ts'), 'export const a = 1;\n');
  const before = sourcesHashOf(root);
  expect(sourcesHashOf(root)).toBe(before);
  writeFileSync(join(root, 'constructs', 'network.ts'), 'export const a = 2;\n');
  const edited = sourcesHashOf(root);
  writeFileSync(join(root, 'stacks', 'user-data.sh'), '#!/bin/sh\n');
  const added = sourcesHashOf(root);
  rmSync(join(root, 'stacks', 'user-data.sh'));
  const removed = sourcesHashOf(root);
  writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
  const upgraded = sourcesHashOf(root);
  expect(new Set([before, edited, added, upgraded]).size).toBe(4);
  expect(removed).not.toBe(added);
  expect(removed).toBe(edited);
});
