import { App } from 'cdktf';
import { estate } from './config/estate';
import { ConfigError, resolveConfig } from './config/load';
import { buildEstate } from './stacks/estate';
import { skipTokenCreationTraces } from './stacks/token-traces';

// The only place that reads the environment: DR_ACTIVE_REGION is the emergency override of
// the committed activeRegion, for when the Git server holding the config is unreachable.
let config;
try {
  config = resolveConfig(estate, { activeRegionOverride: process.env.DR_ACTIVE_REGION });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) console.error(`Invalid estate config: ${problem}`);
  // Exit 2 like every other command: nothing was synthesized (README, "Commands").
  process.exit(2);
}

skipTokenCreationTraces();
const app = new App();
buildEstate(app, config);
app.synth();
