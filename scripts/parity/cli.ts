import { synthesizeEstate } from '../dr/synthesize';
import { loadEstateConfig } from '../estate-config';
import { compareRegions, parityReport } from './compare';

/*
 * npm run parity: synthesizes the estate and compares each kind of stack across the two
 * regions. Exit 0 when every difference is by design, 1 otherwise.
 */

/** Runs the parity check; returns the exit code. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  if (argv.length > 0) {
    console.error(`parity: takes no arguments; got ${argv.join(' ')}.`);
    return 1;
  }
  const config = loadEstateConfig('parity', env);
  if (!config) return 1;
  const differences = compareRegions(synthesizeEstate(config), config);
  console.log(parityReport(differences));
  return differences.some((d) => !d.reason) ? 1 : 0;
}
