// Three projects, run together by `npm test` (and so by CI), or alone:
//   npm run test:unit       the fast loop: every test that runs in jest's own process (*.test.ts)
//   npm run test:commands   the project's commands run as users run them (synth, deploy:phase,
//                           drift, dr), as child processes or with stand-in terraform binaries
//                           (*.command.test.ts)
//   npm run test:terraform  the suites that run terraform, the AWS emulator or helm
//                           (*.terraform.test.ts)
// A test file's suffix says which project it is in: it is in exactly one.
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
      testPathIgnorePatterns: ['/node_modules/', '\\.command\\.test\\.ts$', '\\.terraform\\.test\\.ts$'],
    },
    {
      ...base,
      displayName: 'commands',
      testMatch: ['**/*.command.test.ts'],
    },
    {
      ...base,
      displayName: 'terraform',
      testMatch: ['**/*.terraform.test.ts'],
    },
  ],
};
