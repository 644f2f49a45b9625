import { estate } from '../../config/estate';
import { resolveConfig } from '../../config/load';
import { EXIT, runCommand, type CommandSpec } from '../cli';
import { synthesizeEstate } from '../dr/synthesize';
import { compareRegions, parityReport } from './compare';

/** npm run parity: synthesizes the estate and compares each kind of stack across the two regions. */
export const PARITY_COMMAND: CommandSpec = {
  invocation: 'npm run parity --',
  name: 'parity',
  summary:
    'Synthesizes the estate (DR_ACTIVE_REGION honoured) and compares each kind of stack across the two\nregions, after normalizing what differs by design. Needs no terraform and no AWS.',
  options: {},
  exitCodes: { ok: 'every difference between the regions is by design', failure: 'a difference that is not by design (listed first)' },
};

/** Runs the parity check; returns the exit code. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runCommand(PARITY_COMMAND, argv, env, () => {
    const config = resolveConfig(estate, { activeRegionOverride: env.DR_ACTIVE_REGION });
    const differences = compareRegions(synthesizeEstate(config), config);
    console.log(parityReport(differences));
    return differences.some((d) => !d.reason) ? EXIT.failure : EXIT.ok;
  });
}
