import type { App } from 'cdktf';
import type { EstateConfig } from '../config/load';
import { stackName } from '../config/naming';
import { BootstrapStack } from './bootstrap-stack';
import { RegionalStack } from './regional-stack';

/** Every stack of the estate, by kind and site. */
export interface EstateStacks {
  /** Bootstrap (state bucket + lock table) of each site. */
  readonly bootstrap: { readonly primary: BootstrapStack; readonly dr: BootstrapStack };
  /** Regional workload stack of each site. */
  readonly regional: { readonly primary: RegionalStack; readonly dr: RegionalStack };
}

/**
 * Adds the whole estate to an app. The DR bootstrap comes first: the primary bucket
 * replicates into the DR bucket, which must exist.
 */
export function buildEstate(app: App, config: EstateConfig): EstateStacks {
  const drBootstrap = new BootstrapStack(app, stackName('bootstrap', config.dr.region), {
    config,
    site: config.dr,
    createHostedZone: config.dns.createZone,
  });
  const primaryBootstrap = new BootstrapStack(app, stackName('bootstrap', config.primary.region), {
    config,
    site: config.primary,
    replicaDestination: drBootstrap.stateBackend.location,
  });
  primaryBootstrap.addDependency(drBootstrap);

  const regional = (site: typeof config.primary) =>
    new RegionalStack(app, stackName('regional', site.region), { config, site });
  return {
    bootstrap: { primary: primaryBootstrap, dr: drBootstrap },
    regional: { primary: regional(config.primary), dr: regional(config.dr) },
  };
}
