// A jest transform that makes a file's content its default export, as esbuild's text loader does
// at synth (scripts/esbuild.mjs): the boot scripts in constructs/user-data/ are imported as text.
// The file is read again here: jest hands transforms its source with a `#!` line removed.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

const VERSION = 'text-transform-2';

module.exports = {
  getCacheKey(_source, path) {
    return createHash('sha256').update(VERSION).update(path).update(readFileSync(path)).digest('hex');
  },
  process(_source, path) {
    return { code: `module.exports = ${JSON.stringify(readFileSync(path, 'utf8'))};` };
  },
};
