import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';

/** One region behind the failover names. */
export interface FailoverSite {
  /** Region, also the records' set identifier (stable across failovers). */
  readonly region: string;
  /** `PRIMARY` for the active region, `SECONDARY` for the passive one. */
  readonly failoverRole: 'PRIMARY' | 'SECONDARY';
  /** DNS name of the region's app load balancer. */
  readonly albDnsName: string;
  /** Route 53 zone id of that load balancer (alias target). */
  readonly albZoneId: string;
  /** DNS name of the region's Grafana load balancer. */
  readonly grafanaHostname: string;
}

/** How Route 53 checks a region's load balancer. */
export interface FailoverHealthCheck {
  /** `HTTPS` when the app serves TLS, else `HTTP`. */
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Path answering 200 while the region is healthy. */
  readonly path: string;
  /**
   * Seconds between checks (10 or 30).
   * @default 30
   */
  readonly intervalSeconds?: 10 | 30;
  /**
   * Consecutive failures before the region counts as down.
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** Props of {@link FailoverDns}. */
export interface FailoverDnsProps {
  /** Hosted zone of the names. */
  readonly hostedZoneId: string;
  /** The app's name (`app.<zone>`): an alias to the PRIMARY region's load balancer while healthy. */
  readonly appName: string;
  /** Grafana's name (`grafana.<zone>`): the PRIMARY region's Grafana. */
  readonly monitoringName: string;
  /** Both regions, exactly one of them PRIMARY. */
  readonly sites: readonly [FailoverSite, FailoverSite];
  /** Health checks of the app load balancers. */
  readonly healthCheck: FailoverHealthCheck;
  /**
   * TTL of the monitoring record (the app's alias records take the load balancer's).
   * @default 60
   */
  readonly monitoringTtlSeconds?: number;
}

/**
 * Route 53 failover for the estate's two names. The app name is a pair of failover alias
 * records to the regions' load balancers, each guarded by a health check on the app's health
 * path; the monitoring name is a pair of failover CNAMEs to the regions' Grafana (internal
 * load balancers, which Route 53 cannot health-check). The DR switch only swaps which region is
 * PRIMARY: set identifiers are the regions, so a switch updates records in place.
 */
export class FailoverDns extends Construct {
  /** Health check of each region's load balancer, by region. */
  readonly healthChecks: Readonly<Record<string, Route53HealthCheck>>;
  /** The region answering both names while healthy. */
  readonly primaryRegion: string;

  constructor(scope: Construct, id: string, props: FailoverDnsProps) {
    super(scope, id);
    const primaries = props.sites.filter((s) => s.failoverRole === 'PRIMARY');
    if (primaries.length !== 1 || props.sites[0].region === props.sites[1].region) {
      throw new Error(
        `FailoverDns ${id}: sites are ${props.sites.map((s) => `${s.region} ${s.failoverRole}`).join(', ')}, expected two regions with exactly one PRIMARY.`,
      );
    }
    this.primaryRegion = primaries[0].region;
    const check = props.healthCheck;
    const healthChecks: Record<string, Route53HealthCheck> = {};

    for (const site of props.sites) {
      const health = new Route53HealthCheck(this, `health-${site.region}`, {
        type: check.protocol,
        fqdn: site.albDnsName,
        port: check.protocol === 'HTTPS' ? 443 : 80,
        resourcePath: check.path,
        requestInterval: check.intervalSeconds ?? 30,
        failureThreshold: check.failureThreshold ?? 3,
        enableSni: check.protocol === 'HTTPS' ? true : undefined,
        tags: { Name: `${props.appName} ${site.region}` },
      });
      healthChecks[site.region] = health;
      new Route53Record(this, `app-${site.region}`, {
        zoneId: props.hostedZoneId,
        name: props.appName,
        type: 'A',
        setIdentifier: site.region,
        failoverRoutingPolicy: { type: site.failoverRole },
        healthCheckId: health.id,
        alias: { name: site.albDnsName, zoneId: site.albZoneId, evaluateTargetHealth: true },
      });
      new Route53Record(this, `monitoring-${site.region}`, {
        zoneId: props.hostedZoneId,
        name: props.monitoringName,
        type: 'CNAME',
        ttl: props.monitoringTtlSeconds ?? 60,
        records: [site.grafanaHostname],
        setIdentifier: site.region,
        failoverRoutingPolicy: { type: site.failoverRole },
      });
    }
    this.healthChecks = healthChecks;

    new TerraformOutput(this, 'app-name', { value: props.appName, description: 'The app name clients use.' });
    new TerraformOutput(this, 'monitoring-name', {
      value: props.monitoringName,
      description: "Grafana's name, pointing at the active region's Grafana.",
    });
    new TerraformOutput(this, 'primary-region', {
      value: this.primaryRegion,
      description: 'The region both names point at while it is healthy.',
    });
  }
}
