import { estate } from '../config/estate';
import { ConfigError, resolveConfig, type EstateConfig } from '../config/load';

/**
 * The committed estate config with `DR_ACTIVE_REGION` applied, for the project's commands. An
 * invalid config prints each problem as `<command>: invalid estate config: ...` and gives
 * undefined (the command exits 1); any other error is thrown.
 */
export function loadEstateConfig(command: string, env: NodeJS.ProcessEnv): EstateConfig | undefined {
  try {
    return resolveConfig(estate, { activeRegionOverride: env.DR_ACTIVE_REGION });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(`${command}: invalid estate config: ${problem}`);
    return undefined;
  }
}
