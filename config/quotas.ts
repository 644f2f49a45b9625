import type { EstateConfig, SiteConfig } from './load';

/*
 * What a fresh account must allow, per region and DR posture, computed from config: the
 * service quotas an estate of this size runs into first. Stopped instances count for no vCPU;
 * a passive site's app tier runs its passive count.
 */

/** vCPUs of an EC2 instance type, from its size (undefined for a size this table does not know). */
export function vcpusOf(instanceType: string): number | undefined {
  const [family, size] = instanceType.split('.');
  if (!size) return undefined;
  if (['nano', 'micro', 'small'].includes(size)) return family === 't2' ? 1 : 2;
  if (size === 'medium' || size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const multiple = /^(\d+)xlarge$/.exec(size);
  return multiple ? 4 * Number(multiple[1]) : undefined;
}

/** The quota-relevant counts of one region in one posture. */
export interface RegionQuotaNeeds {
  readonly region: string;
  readonly posture: 'active' | 'passive';
  /** Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instance vCPUs, at the app tier's maximum. */
  readonly standardVcpus: number | undefined;
  /** Elastic IPs (one per NAT gateway). */
  readonly elasticIps: number;
  /** NAT gateways (at most one per AZ). */
  readonly natGateways: number;
  /** Application load balancers. */
  readonly applicationLoadBalancers: number;
  /** Network load balancers (Grafana's). */
  readonly networkLoadBalancers: number;
  /** RDS DB instances: a reprotect keeps the retired incarnation beside the new one until it is deleted by hand. */
  readonly dbInstances: number;
}

/** What one site needs in a posture. */
export function quotaNeeds(config: EstateConfig, site: SiteConfig, posture: 'active' | 'passive'): RegionQuotaNeeds {
  const isActive = posture === 'active';
  const app = config.appTier;
  const appMax = isActive ? app.maxSize : app.passiveDesiredCapacity;
  const parts = [
    [appMax, vcpusOf(app.instanceType)],
    [isActive ? 1 : 0, vcpusOf(config.gitServer.instanceType)],
    [config.eks.nodeMaxCount, vcpusOf(config.eks.nodeInstanceType)],
  ] as const;
  const vcpus = parts.some(([count, per]) => count > 0 && per === undefined)
    ? undefined
    : parts.reduce((sum, [count, per]) => sum + count * (per ?? 0), 0);
  const nat = config.network.natGateways === 'single' ? 1 : site.azCount;
  return {
    region: site.region,
    posture,
    standardVcpus: vcpus,
    elasticIps: nat,
    natGateways: nat,
    applicationLoadBalancers: 1,
    networkLoadBalancers: 1,
    dbInstances: 2,
  };
}

/** AWS's default quota of each need, per region, for the table. */
const DEFAULT_QUOTAS = {
  standardVcpus: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances, vCPUs (new accounts start low: check Service Quotas)',
  elasticIps: 'EC2-VPC Elastic IPs: 5',
  natGateways: 'NAT gateways in the region (5 per AZ)',
  applicationLoadBalancers: 'Application Load Balancers: 50',
  networkLoadBalancers: 'Network Load Balancers: 50',
  dbInstances: 'RDS DB instances: 40 (a reprotect keeps the retired one until deleted)',
} as const;

/** The quota table (docs/architecture.md) for a config: both regions in both postures of the switch. */
export function quotaTable(config: EstateConfig): string {
  const sites = [config.primary, config.dr];
  const columns = sites.flatMap((site) =>
    (['active', 'passive'] as const).map((posture) => ({ site, posture })),
  );
  const header = `| quota (AWS default) | ${columns.map((c) => `${c.site.region} ${c.posture}`).join(' | ')} |`;
  const rule = `| --- | ${columns.map(() => '---').join(' | ')} |`;
  const needs = columns.map((c) => quotaNeeds(config, c.site, c.posture));
  const rows = (Object.keys(DEFAULT_QUOTAS) as (keyof typeof DEFAULT_QUOTAS)[]).map((key) => {
    const values = needs.map((n) => n[key] ?? '?');
    return `| ${DEFAULT_QUOTAS[key]} | ${values.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
