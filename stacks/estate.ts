import type { App } from 'cdktf';
import type { EstateConfig } from '../config/load';
import { stackName } from '../config/naming';
import { BootstrapStack } from './bootstrap-stack';
import { MonitoringStack } from './monitoring-stack';
import { RegionalStack } from './regional-stack';

/** Every stack of the estate, by kind and site. */
export interface EstateStacks {
  /** Bootstrap (state bucket + lock table) of each site. */
  readonly bootstrap: { readonly primary: BootstrapStack; readonly dr: BootstrapStack };
  /** Regional workload stack of each site. */
  readonly regional: { readonly primary: RegionalStack; readonly dr: RegionalStack };
  /** Monitoring (Prometheus, Grafana) on each site's cluster. */
  readonly monitoring: { readonly primary: MonitoringStack; readonly dr: MonitoringStack };
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

  const regional = {
    primary: new RegionalStack(app, stackName('regional', config.primary.region), { config, site: config.primary }),
    dr: new RegionalStack(app, stackName('regional', config.dr.region), { config, site: config.dr }),
  };
  const monitoring = (stack: RegionalStack) =>
    new MonitoringStack(app, stackName('monitoring', stack.site.region), {
      config,
      site: stack.site,
      regional: stack,
    });
  return {
    bootstrap: { primary: primaryBootstrap, dr: drBootstrap },
    regional,
    monitoring: { primary: monitoring(regional.primary), dr: monitoring(regional.dr) },
  };
}
