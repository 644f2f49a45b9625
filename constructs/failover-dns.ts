import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Fn, TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';

/** One region behind the failover names. */
export interface FailoverSite {
  /** Region (names its health check). */
  readonly region: string;
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
   */
  readonly intervalSeconds: 10 | 30;
  /**
   * Consecutive failures before the region counts as down.
   */
  readonly failureThreshold: number;
}

/** Props of {@link FailoverDns}. */
export interface FailoverDnsProps {
  /** Hosted zone of the names. */
  readonly hostedZoneId: string;
  /** The app's name (`app.<zone>`): an alias to the active region's load balancer while healthy. */
  readonly appName: string;
  /** Grafana's name (`grafana.<zone>`): the active region's Grafana. */
  readonly monitoringName: string;
  /** The region that serves. */
  readonly active: FailoverSite;
  /** The other region, answering only while the active one is unhealthy. */
  readonly standby: FailoverSite;
  /**
   * Whether the standby record exists. False while the passive region must take no traffic at
   * all (its database is the detached old writer): no route then reaches it, even while the
   * active region's health check fails. Its health check stays, so nothing else moves.
   * @default true
   */
  readonly standbyRoute?: boolean;
  /** Health checks of the app load balancers. */
  readonly healthCheck: FailoverHealthCheck;
  /**
   * TTL of the monitoring record (the app's alias records take the load balancer's).
   */
  readonly monitoringTtlSeconds: number;
}

/**
 * Failover record types, fixed for the life of each record. Route 53 applies each record's
 * change on its own, so flipping two records' types in place would pass through two PRIMARY
 * (or two SECONDARY) records for one name; instead the set identifiers name the role, and the
 * DR switch repoints each record's target and health check.
 */
export const FAILOVER_RECORDS = {
  active: { setIdentifier: 'active', type: 'PRIMARY' },
  standby: { setIdentifier: 'standby', type: 'SECONDARY' },
} as const;

/**
 * Route 53 for the estate's two names. The app name is a failover pair of alias records: the
 * PRIMARY record (set identifier `active`) points at the active region's load balancer and
 * carries its health check, the SECONDARY (`standby`) at the other region's, with its own
 * check, unless the passive region must take no traffic (`standbyRoute: false`). The monitoring name is a simple CNAME to the active region's Grafana: an internal load
 * balancer cannot be health-checked by Route 53, so a failover record would need a health check
 * that means nothing; the switch alone moves it.
 */
export class FailoverDns extends Construct {
  /** Health check of each region's load balancer, by region. */
  readonly healthChecks: Readonly<Record<string, Route53HealthCheck>>;
  /** The region answering both names while healthy. */
  readonly primaryRegion: string;

  constructor(scope: Construct, id: string, props: FailoverDnsProps) {
    super(scope, id);
    if (props.active.region === props.standby.region) {
      throw new Error(
        `FailoverDns ${id}: standby.region is "${props.standby.region}", expected a region other than active.region.`,
      );
    }
    this.primaryRegion = props.active.region;
    const check = props.healthCheck;
    const healthChecks: Record<string, Route53HealthCheck> = {};
    // Health checks by region, in a fixed order: they never move, only the records point elsewhere.
    for (const site of [props.active, props.standby].sort((a, b) => a.region.localeCompare(b.region))) {
      healthChecks[site.region] = new Route53HealthCheck(this, `health-${site.region}`, {
        type: check.protocol,
        fqdn: site.albDnsName,
        port: check.protocol === 'HTTPS' ? 443 : 80,
        resourcePath: check.path,
        requestInterval: check.intervalSeconds,
        failureThreshold: check.failureThreshold,
        enableSni: check.protocol === 'HTTPS' ? true : undefined,
        tags: { Name: `${props.appName} ${site.region}` },
      });
    }
    this.healthChecks = healthChecks;

    const routed = props.standbyRoute === false ? [['active', props.active] as const] : ([['active', props.active], ['standby', props.standby]] as const);
    for (const [role, site] of routed) {
      const record = FAILOVER_RECORDS[role];
      new Route53Record(this, `app-${role}`, {
        zoneId: props.hostedZoneId,
        name: props.appName,
        type: 'A',
        setIdentifier: record.setIdentifier,
        failoverRoutingPolicy: { type: record.type },
        healthCheckId: healthChecks[site.region].id,
        alias: { name: site.albDnsName, zoneId: site.albZoneId, evaluateTargetHealth: true },
      });
    }
    new Route53Record(this, 'monitoring', {
      // Until the active region's monitoring stack has reported Grafana's name, there is none.
      count: Token.asNumber(Fn.min([1, Fn.lengthOf(props.active.grafanaHostname)])),
      zoneId: props.hostedZoneId,
      name: props.monitoringName,
      type: 'CNAME',
      ttl: props.monitoringTtlSeconds,
      records: [props.active.grafanaHostname],
    });

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
