import { join } from 'node:path';

/* Every skipped test is named, with its reason, in every run's output (not only with --verbose). */

const root = join(__dirname, '..');

test('jest reports through the default reporter and the skipped-test list', () => {
  const config = require(join(root, 'jest.config.js')) as { reporters: string[] };
  expect(config.reporters).toEqual(['default', '<rootDir>/__tests__/skipped-reporter.js']);
});

test('the skipped-test list names each skipped test with its file, and says nothing when none was skipped', () => {
  const Reporter = require('./skipped-reporter.js') as new () => { onRunComplete(c: unknown, r: unknown): void };
  const file = (name: string, tests: [string, string][]) => ({
    testFilePath: join(process.cwd(), '__tests__', name),
    testResults: tests.map(([fullName, status]) => ({ fullName, status })),
  });
  const written: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  try {
    new Reporter().onRunComplete(new Set(), {
      testResults: [
        file('terraform/offline.test.ts', [
          ['monitoring-us-east-2 terraform validate and plan tests: providers not in the mirror (helm)', 'pending'],
          ['dr-global terraform validate passes', 'passed'],
        ]),
        file('config/instance-types.test.ts', [['the instance type list is the one AWS publishes (as moto ships it)', 'skipped']]),
      ],
    });
    new Reporter().onRunComplete(new Set(), { testResults: [file('a.test.ts', [['passes', 'passed']])] });
  } finally {
    write.mockRestore();
  }
  expect(written).toEqual([
    [
      '',
      '2 test(s) skipped:',
      '  __tests__/terraform/offline.test.ts: monitoring-us-east-2 terraform validate and plan tests: providers not in the mirror (helm)',
      '  __tests__/config/instance-types.test.ts: the instance type list is the one AWS publishes (as moto ships it)',
      '',
    ].join('\n'),
  ]);
});
