import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appPython, appUserData, gitUserData } from '../../constructs/user-data';
import { render } from '../../constructs/user-data/template';
import { skipBecause } from '../skips';

/*
 * The boot scripts are real files (constructs/user-data/*.sh, app.py) with placeholders: as
 * files they are valid bash and shellcheck-clean, and so is every script rendered from them.
 */

const dir = join(__dirname, '..', '..', 'constructs', 'user-data');
const scripts = readdirSync(dir).filter((f) => f.endsWith('.sh'));
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
if (!shellcheck) skipBecause(__filename, 'shellcheck is not installed (apt-get install shellcheck)');

const app = {
  appPort: 8080,
  healthCheckPath: '/healthz',
  region: 'us-east-2',
  artifactBucket: 'dr-estate-prod-git-backup-111122223333-us-east-2',
  database: { engine: 'mysql' as const, identifier: 'dr-estate-prod-db-3', name: 'app', port: 3306, secretId: 'dr-estate-prod/db-master' },
};
const git = {
  giteaVersion: '1.24.6',
  region: 'us-west-1',
  postureParameter: '/dr-estate-prod/dr-posture',
  handoverWaitMinutes: 10,
  backupBucket: 'dr-estate-prod-git-backup-111122223333-us-west-1',
  backupIntervalMinutes: 15,
  dataDevice: '/dev/sdf',
  httpPort: 3000,
};
const rendered: [string, string][] = [
  ['the app server', appUserData(app)],
  ['the Git server', gitUserData(git)],
];

test.each(scripts)('%s is valid bash as a file', (file) => {
  const check = spawnSync('bash', ['-n', join(dir, file)], { encoding: 'utf8' });
  expect([check.status, check.stderr]).toEqual([0, '']);
});

(shellcheck ? test.each(scripts) : test.skip.each(scripts))('%s is shellcheck-clean as a file', (file) => {
  const check = spawnSync('shellcheck', ['-s', 'bash', join(dir, file)], { encoding: 'utf8' });
  expect([check.status, check.stdout]).toEqual([0, '']);
});

(shellcheck ? test.each(rendered) : test.skip.each(rendered))('the boot script of %s, rendered, is shellcheck-clean', (_name, script) => {
  const check = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script, encoding: 'utf8' });
  expect([check.status, check.stdout]).toEqual([0, '']);
});

test.each(rendered)('the boot script of %s has no placeholder left', (_name, script) => {
  expect(script.match(/@[A-Z][A-Z0-9_]*@/g)).toBeNull();
  expect(script.startsWith('#!/bin/bash\nset -euo pipefail\n')).toBe(true);
});

test('the app, rendered, is Python that compiles, with its settings in place', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'estate-app-')), 'app.py');
  writeFileSync(file, appPython(app));
  const compile = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
  expect([compile.status, compile.stderr]).toEqual([0, '']);
  expect(readFileSync(file, 'utf8')).toContain('\nPORT = 8080\nHEALTH_PATH = "/healthz"\nREGION = "us-east-2"\nENGINE = "mysql"\n');
});

describe('rendering a template', () => {
  test('replaces @NAME@ values and # @NAME@ lines, leaving $@ and @@variables alone', () => {
    expect(render('t', 'a=@A@ "$@" @@global.x\n# @BLOCK@\nend\n', { A: 1, BLOCK: 'one\ntwo\n' })).toBe('a=1 "$@" @@global.x\none\ntwo\nend\n');
  });

  test('fails if a placeholder has no value', () => {
    expect(() => render('t.sh', 'echo @A@ @B@', { A: 1 })).toThrow('boot script t.sh: no value for @B@');
  });

  test('fails if a value has no placeholder (a stale value)', () => {
    expect(() => render('t.sh', 'echo @A@', { A: 1, OLD: 2 })).toThrow('boot script t.sh: @OLD@ not in the template');
  });
});
