// One temporary folder per jest run: every test's mkdtemp (and cdktf's own outdirs) lands under
// it, through TMPDIR, which the workers inherit; it is removed when the run ends, so a run leaves
// no folder behind in the machine's temporary directory.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const KEY = 'ESTATE_TEST_TMPDIR';

module.exports.setup = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'estate-tests-'));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
};

module.exports.teardown = async () => {
  const dir = process.env[KEY];
  if (dir) rmSync(dir, { recursive: true, force: true });
};
