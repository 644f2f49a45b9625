import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipBecause } from './skips';

/* Every skipped test is named, with its file's reason, in every run's summary (not only with --verbose). */

const root = join(__dirname, '..');

test('the skipped-test list gives each file\'s skipped tests once, with the reason the file recorded, and says nothing when none was skipped', () => {
  const Reporter = require('./skipped-reporter.js') as new () => { onRunComplete(c: unknown, r: unknown): void };
  const path = (name: string) => join(process.cwd(), '__tests__', name);
  const file = (name: string, tests: [string, string][]) => ({ testFilePath: path(name), testResults: tests.map(([fullName, status]) => ({ fullName, status })) });
  const saved = process.env.ESTATE_TEST_TMPDIR;
  process.env.ESTATE_TEST_TMPDIR = mkdtempSync(join(tmpdir(), 'skip-reasons-'));
  const written: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  try {
    skipBecause(path('constructs/user-data.test.ts'), 'shellcheck is not installed (apt-get install shellcheck)');
    new Reporter().onRunComplete(new Set(), {
      testResults: [
        file('constructs/user-data.test.ts', [
          ['git-server.sh is shellcheck-clean as a file', 'pending'],
          ['app.sh is shellcheck-clean as a file', 'skipped'],
          ['every script is valid bash', 'passed'],
        ]),
        file('config/instance-types.test.ts', [['the instance type list is the one AWS publishes (as moto ships it)', 'skipped']]),
      ],
    });
    new Reporter().onRunComplete(new Set(), { testResults: [file('a.test.ts', [['passes', 'passed']])] });
  } finally {
    write.mockRestore();
    process.env.ESTATE_TEST_TMPDIR = saved;
  }
  expect(written).toEqual([
    [
      '',
      '3 test(s) skipped:',
      '  __tests__/constructs/user-data.test.ts (2): shellcheck is not installed (apt-get install shellcheck)',
      '      git-server.sh is shellcheck-clean as a file',
      '      app.sh is shellcheck-clean as a file',
      '  __tests__/config/instance-types.test.ts (1): no reason recorded (see the file)',
      '      the instance type list is the one AWS publishes (as moto ships it)',
      '',
    ].join('\n'),
  ]);
});

test('every test file that can skip tests records why (skipBecause)', () => {
  const files = execFileSync('grep', ['-rlE', 'test\\.skip|describe\\.skip', join(root, '__tests__'), '--include=*.ts'], { encoding: 'utf8' }).trim().split('\n');
  const silent = files.filter((f) => !readFileSync(f, 'utf8').includes('skipBecause(') && !f.endsWith('skipped-reporter.test.ts'));
  expect(silent.map((f) => f.slice(root.length + 1))).toEqual([]);
});
