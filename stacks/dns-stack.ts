import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { FailoverDns, type FailoverSite } from '../constructs/failover-dns';
import { EstateStack, type EstateStackProps } from './estate-stack';
import type { MonitoringStack } from './monitoring-stack';
import { activeAndPassive, sitePosture } from '../config/dr';
import { appDomainName, LIVE_DNS_OUTPUT } from '../config/naming';
import type { RegionalStack } from './regional-stack';

/** One region's stacks, as the DNS stack reads them. */
export interface DnsSiteStacks {
  /** The region's regional stack (its load balancer). */
  readonly regional: RegionalStack;
  /** The region's monitoring stack (its Grafana). */
  readonly monitoring: MonitoringStack;
}

/** Props of {@link DnsStack}. */
export interface DnsStackProps extends EstateStackProps {
  /** The primary site's stacks. */
  readonly primary: DnsSiteStacks;
  /** The DR site's stacks. */
  readonly dr: DnsSiteStacks;
}

/**
 * The DNS stack: Route 53 health checks and failover records for the app (PRIMARY on
 * the active region) and Grafana's name (the active region's). It lives in the DR region (provider, state) and reads
 * the other stacks' outputs from the DR region's state bucket only, the primary's from the
 * replica of its state there, so a failover needs nothing from the primary region.
 */
export class DnsStack extends EstateStack {
  /** The failover records and health checks. */
  readonly dns: FailoverDns;

  constructor(scope: Construct, id: string, props: DnsStackProps) {
    super(scope, id, props);
    if (props.site.role !== 'dr') {
      throw new Error(`DnsStack ${id}: site is the ${props.site.role} site, expected the DR site (it must work with the primary gone).`);
    }
    const { config } = props;
    this.useRegionalState();
    const readFrom = props.site.region;

    const siteOf = (stacks: DnsSiteStacks): FailoverSite => {
      const region = stacks.regional.site.region;
      const regional = this.readStateOf(stacks.regional, `${region}-regional-state`, readFrom);
      // Monitoring deploys after the DNS flip (best effort: private Kubernetes APIs), so its
      // state may not exist yet on a first deploy: Grafana's name then waits for it.
      const grafanaOutput = stacks.monitoring.monitoring.grafanaHostnameOutput;
      const monitoring = this.readStateOf(stacks.monitoring, `${region}-monitoring-state`, readFrom, { optional: true });
      this.addDependency(stacks.regional);
      return {
        region,
        albDnsName: regional.getString(stacks.regional.appTier.albDnsNameOutput),
        albZoneId: regional.getString(stacks.regional.appTier.albZoneIdOutput),
        grafanaHostname: monitoring.getString(grafanaOutput),
      };
    };
    const primarySite = siteOf(props.primary);
    const drSite = siteOf(props.dr);
    const primaryServes = sitePosture(config, config.primary).serves;

    // What the live DNS serves, as deployed: a push deploy reads it and refuses to move DNS back
    // while an override-only switch is in force (scripts/deploy/live-dns.ts).
    new TerraformOutput(this, LIVE_DNS_OUTPUT, {
      value: config.activeRegion,
      description: 'The region the failover records were last deployed to serve (activeRegion, or DR_ACTIVE_REGION).',
    });

    // Route 53 is a global service: the lookup does not touch either region.
    const zone = new DataAwsRoute53Zone(this, 'zone', { name: config.dns.zoneName, privateZone: false });
    this.dns = new FailoverDns(this, 'failover', {
      hostedZoneId: zone.zoneId,
      appName: appDomainName(config),
      monitoringName: `${config.monitoring.grafanaRecordName}.${config.dns.zoneName}`,
      active: primaryServes ? primarySite : drSite,
      standby: primaryServes ? drSite : primarySite,
      // No route to a site whose database is the detached old writer (config/dr.ts routable).
      standbyRoute: sitePosture(config, activeAndPassive(config).passive).routable,
      healthCheck: {
        protocol: props.primary.regional.appTier.protocol,
        path: props.primary.regional.appTier.healthCheckPath,
        intervalSeconds: config.drPlan.healthCheckIntervalSeconds,
        failureThreshold: config.drPlan.healthCheckFailureThreshold,
      },
      monitoringTtlSeconds: config.drPlan.dnsTtlSeconds,
    });
  }
}
