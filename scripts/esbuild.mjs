// The one esbuild build the project's entry points share (scripts/app.mjs for the app,
// scripts/run-ts.mjs for the commands): the project's own TypeScript bundled into one CommonJS
// file for node 20, every package left a plain require, `.sh` and `.py` files as text. Sources that do not compile (a broken
// config file, say) are reported as file:line:column and the reason, one line per error, and
// the process exits with `exitCode`: never a stack trace.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function bundleOrExit(options, { prefix, exitCode }) {
  try {
    return require('esbuild').buildSync({
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
      // Boot scripts and the app's source (constructs/user-data/) are imported as text.
      loader: { '.sh': 'text', '.py': 'text' },
      ...options,
    });
  } catch (error) {
    for (const e of error.errors ?? [{ text: error.message }]) {
      const where = e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : '';
      console.error(`${prefix}: ${where}${e.text}`);
    }
    process.exit(exitCode);
  }
}
