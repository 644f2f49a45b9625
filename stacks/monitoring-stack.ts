import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import { boundaryPolicyArn, grafanaAdminSecretName, regionalName, storageKeyAlias } from '../config/naming';
import { alertTopicName, heartbeatTopicName } from '../constructs/alerts';
import { Monitoring } from '../constructs/monitoring';
import { NODE_EXPORTER } from '../constructs/user-data';
import { EstateStack, estateTags, type EstateStackProps } from './estate-stack';
import type { RegionalStack } from './regional-stack';
import { PermissionsBoundary } from '../constructs/permissions-boundary';

/** Props of {@link MonitoringStack}. */
export interface MonitoringStackProps extends EstateStackProps {
  /** The same region's regional stack: its cluster runs the monitoring, its app tier is scraped. */
  readonly regional: RegionalStack;
}

/**
 * Prometheus and Grafana on a region's EKS cluster. A separate stack, deployed after the
 * regional one: its Kubernetes and Helm providers are configured from the cluster's endpoint
 * and certificate, which exist only once the regional stack is applied (read from that
 * stack's state in the same region's bucket), and authenticate with `aws eks get-token`.
 */
export class MonitoringStack extends EstateStack {
  /** kube-prometheus-stack and Grafana's load balancer. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    // Every role this stack creates is capped by the workload boundary (the DR bootstrap's).
    PermissionsBoundary.of(this, boundaryPolicyArn(props.config, 'workload'));
    const { config, site, regional } = props;
    if (regional.site.region !== site.region) {
      throw new Error(
        `MonitoringStack ${id}: regional is the stack of "${regional.site.region}", expected the stack of its own region "${site.region}".`,
      );
    }
    this.useRegionalState();
    const cluster = regional.cluster;
    // The regional stack's own described outputs, from its state in this region's bucket.
    const regionalState = this.readStateOf(regional, 'regional-state');
    const endpoint = {
      host: regionalState.getString(cluster.endpointOutput),
      clusterCaCertificate: Fn.base64decode(regionalState.getString(cluster.certificateAuthorityOutput)),
    };
    // A short-lived token per run from the caller's AWS identity (an access entry admits it).
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', cluster.clusterName, '--region', site.region],
    };
    new KubernetesProvider(this, 'kubernetes', { ...endpoint, exec: [exec] });
    new HelmProvider(this, 'helm', { kubernetes: { ...endpoint, exec } });
    new RandomProvider(this, 'random');
    this.addDependency(regional);

    const m = config.monitoring;
    this.monitoring = new Monitoring(this, 'monitoring', {
      name: regionalName(config, site.region),
      adminSecretName: grafanaAdminSecretName(config, site.region),
      region: site.region,
      clusterName: cluster.clusterName,
      nodeAvailabilityZones: Fn.split(',', regionalState.getString(cluster.nodeAvailabilityZonesOutput)),
      scrapeTarget: { tagKey: 'AppTier', tagValue: regional.appTier.instanceTags.AppTier, port: NODE_EXPORTER.port },
      appScrapeTarget: { tagKey: 'AppTier', tagValue: regional.appTier.instanceTags.AppTier, port: regional.appTier.appPort, metricsPath: '/metrics' },
      gitScrapeTarget: { tagKey: 'Name', tagValue: regional.gitServer.nameTag, port: NODE_EXPORTER.port },
      // Computed, not read from state: the chart values stay a plain document (no token inside).
      storageKeyAlias: storageKeyAlias(config),
      resourceTags: estateTags(config, site),
      alertTopicArn: `arn:aws:sns:${site.region}:${config.accountId}:${alertTopicName(regionalName(config, site.region))}`,
      heartbeatTopicArn: `arn:aws:sns:${site.region}:${config.accountId}:${heartbeatTopicName(regionalName(config, site.region))}`,
      // Two missed backups: the RPO's backup term, doubled.
      gitBackupMaxAgeMinutes: 2 * config.gitServer.backupIntervalMinutes,
      chartVersion: m.chartVersion,
      retentionDays: m.prometheusRetentionDays,
      storageGb: m.prometheusStorageGb,
      grafanaExposure: m.grafanaExposure,
      grafanaAllowedCidrs: m.grafanaAllowedCidrs,
    });
  }
}
