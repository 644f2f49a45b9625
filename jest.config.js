// Three projects, run together by `npm test` (and so by CI), or alone:
//   npm run test:unit       the fast loop: every test that runs in jest's own process
//   npm run test:commands   the project's commands run as users run them (synth, deploy:phase,
//                           drift, dr), as child processes or with stand-in terraform binaries
//   npm run test:terraform  the suites that run terraform, the AWS emulator or helm
// The lists below are the one place that says which is which: a test file is in exactly one.
const COMMAND_SUITES = [
  '__tests__/main.test.ts',
  '__tests__/hcl.test.ts',
  '__tests__/cli/commands.test.ts',
  '__tests__/deploy/deploy.test.ts',
  '__tests__/drift/drift.test.ts',
  '__tests__/dr/cli.test.ts',
];
const TERRAFORM_SUITES = [
  '__tests__/terraform/',
  '__tests__/drift/real-terraform.test.ts',
  '__tests__/deploy/saved-plan.test.ts',
  '__tests__/deploy/stack-roles.test.ts',
  '__tests__/drill/cli.test.ts',
  '__tests__/drill/darkness.test.ts',
  '__tests__/drill/emulator.test.ts',
  '__tests__/drill/git-data.test.ts',
  '__tests__/drill/interrupt.test.ts',
  '__tests__/drill/recovery.test.ts',
  '__tests__/monitoring/render.test.ts',
  '__tests__/stage/stage.test.ts',
];

const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  // swc only strips types (tsc type-checks before jest in npm test): a cold run, as on CI,
  // transforms every file in milliseconds.
  moduleFileExtensions: ['ts', 'js', 'json', 'sh', 'py'],
  transform: {
    // Boot scripts and the app's source (constructs/user-data/) are imported as text, as at synth.
    '\\.(sh|py)$': '<rootDir>/__tests__/text-transform.js',
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' }],
  },
  setupFilesAfterEnv: ['<rootDir>/jest.setup.js'],
};

module.exports = {
  maxWorkers: 2,
  // Temporary folders of a run live under one folder, removed at its end (__tests__/temp-dir.js).
  globalSetup: '<rootDir>/__tests__/temp-dir-setup.js',
  globalTeardown: '<rootDir>/__tests__/temp-dir-teardown.js',
  // Every skipped test is listed, with its reason, at the end of every run.
  reporters: ['default', '<rootDir>/__tests__/skipped-reporter.js'],
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...[...COMMAND_SUITES, ...TERRAFORM_SUITES].map((p) => `<rootDir>/${p}`)],
    },
    {
      ...base,
      displayName: 'commands',
      testMatch: COMMAND_SUITES.map((p) => `<rootDir>/${p}`),
    },
    {
      ...base,
      displayName: 'terraform',
      testMatch: TERRAFORM_SUITES.map((p) => `<rootDir>/${p}${p.endsWith('/') ? '**/*.test.ts' : ''}`),
    },
  ],
};
