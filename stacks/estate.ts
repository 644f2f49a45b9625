import type { App } from 'cdktf';
import type { EstateConfig } from '../config/load';
import { DNS_STACK_NAME, stackName } from '../config/naming';
import { BootstrapStack } from './bootstrap-stack';
import { DnsStack } from './dns-stack';
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
  /** The DNS stack: Route 53 failover records and health checks, state in the DR region. */
  readonly dns: DnsStack;
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
    ciAccess: true,
  });
  const primaryBootstrap = new BootstrapStack(app, stackName('bootstrap', config.primary.region), {
    config,
    site: config.primary,
    replicaDestination: drBootstrap.stateBackend.location,
  });
  primaryBootstrap.addDependency(drBootstrap);

  const regional = {
    primary: new RegionalStack(app, stackName('regional', config.primary.region), { config, site: config.primary }),
    // The DR bootstrap came first, so its state bucket replicates from here.
    dr: new RegionalStack(app, stackName('regional', config.dr.region), {
      config,
      site: config.dr,
      stateReplicaDestination: primaryBootstrap.stateBackend.location,
    }),
  };
  const monitoring = (stack: RegionalStack) =>
    new MonitoringStack(app, stackName('monitoring', stack.site.region), {
      config,
      site: stack.site,
      regional: stack,
    });
  const monitoringStacks = { primary: monitoring(regional.primary), dr: monitoring(regional.dr) };
  const dns = new DnsStack(app, DNS_STACK_NAME, {
    config,
    site: config.dr,
    primary: { regional: regional.primary, monitoring: monitoringStacks.primary },
    dr: { regional: regional.dr, monitoring: monitoringStacks.dr },
  });
  return {
    bootstrap: { primary: primaryBootstrap, dr: drBootstrap },
    regional,
    monitoring: monitoringStacks,
    dns,
  };
}
