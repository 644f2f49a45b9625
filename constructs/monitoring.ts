import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { Password } from '@cdktf/provider-random/lib/password';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { parseCidr } from '../config/cidr';
import { podIdentityTrust } from './eks-cluster';
import { GIT_BACKUP_METRIC } from './user-data';

/** What Prometheus discovers and scrapes outside the cluster. */
export interface ScrapeTarget {
  /** EC2 tag name the targets carry. */
  readonly tagKey: string;
  /** Value of that tag. */
  readonly tagValue: string;
  /** Port of the exporter. */
  readonly port: number;
}

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** Prefix of IAM names, unique per account and region. */
  readonly name: string;
  /** Region of the cluster and of the EC2 instances Prometheus discovers. */
  readonly region: string;
  /** Name of the EKS cluster the chart is installed on (for the Pod Identity association). */
  readonly clusterName: string;
  /** EC2 instances Prometheus scrapes (the app tier's node_exporter). */
  readonly scrapeTarget: ScrapeTarget;
  /** The region's Git server (node_exporter with the backup-age metric), when it runs. */
  readonly gitScrapeTarget: ScrapeTarget;
  /**
   * Age of the last successful Git backup past which an alert fires (the Git RPO's budget).
   * @default 30
   */
  readonly gitBackupMaxAgeMinutes?: number;
  /**
   * kube-prometheus-stack chart version.
   * @default '79.7.1'
   */
  readonly chartVersion?: string;
  /**
   * Days Prometheus keeps samples.
   * @default 15
   */
  readonly retentionDays?: number;
  /**
   * Size of Prometheus' gp3 volume, GiB.
   * @default 50
   */
  readonly storageGb?: number;
  /**
   * Grafana's load balancer: `internal` (inside the VPC, reached over VPN) or `internet`
   * (only from `grafanaAllowedCidrs`).
   * @default 'internal'
   */
  readonly grafanaExposure?: 'internal' | 'internet';
  /**
   * Networks allowed to Grafana's load balancer.
   * @default - none (required for `internet`)
   */
  readonly grafanaAllowedCidrs?: readonly string[];
}

/** Namespace the stack runs in. */
export const MONITORING_NAMESPACE = 'monitoring';
/** Helm release name (also the `app.kubernetes.io/instance` label of its pods). */
export const RELEASE_NAME = 'kube-prometheus-stack';
/** Service account Prometheus runs as (its AWS role is bound to it). */
export const PROMETHEUS_SERVICE_ACCOUNT = 'prometheus';
/** Kubernetes secret holding Grafana's admin credentials. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
/** The only AWS actions Prometheus' EC2 discovery needs. */
export const PROMETHEUS_EC2_ACTIONS = ['ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances'];

/**
 * kube-prometheus-stack on a region's EKS cluster: Prometheus (retention, persistent gp3
 * storage) scraping the app tier through EC2 service discovery with its own least-privilege
 * role (EKS Pod Identity), and Grafana with a generated admin password kept in a Kubernetes
 * secret, behind a load balancer whose name is exposed for the DR switch's DNS record.
 */
export class Monitoring extends Construct {
  /** The Helm release. */
  readonly release: Release;
  /** Grafana's load balancer service. */
  readonly grafanaService: ServiceV1;
  /** DNS name of Grafana's load balancer (target of the monitoring DNS record). */
  readonly grafanaHostname: string;
  /** The Helm values, as the object rendered into the release. */
  readonly values: Record<string, unknown>;
  /** Output carrying {@link grafanaHostname}, for the DR stack. */
  readonly grafanaHostnameOutput: TerraformOutput;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const exposure = props.grafanaExposure ?? 'internal';
    const allowed = [...(props.grafanaAllowedCidrs ?? [])];
    validateProps(id, exposure, allowed);

    const namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: MONITORING_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'monitoring' } },
    });
    const storageClass = new StorageClassV1(this, 'gp3', {
      metadata: { name: 'gp3' },
      storageProvisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });

    const password = new Password(this, 'grafana-admin-password', { length: 32, special: false });
    const adminSecret = new SecretV1(this, 'grafana-admin', {
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: namespace.metadata.name },
      data: { 'admin-user': 'admin', 'admin-password': password.result },
      type: 'Opaque',
    });

    const role = new IamRole(this, 'prometheus-role', {
      name: `${props.name}-prometheus`,
      assumeRolePolicy: podIdentityTrust(this, 'prometheus-trust'),
    });
    const discovery = new DataAwsIamPolicyDocument(this, 'prometheus-discovery', {
      statement: [{ sid: 'Ec2ServiceDiscovery', actions: PROMETHEUS_EC2_ACTIONS, resources: ['*'] }],
    });
    new IamRolePolicy(this, 'prometheus-policy', {
      name: 'ec2-service-discovery',
      role: role.id,
      policy: discovery.json,
    });
    const association = new EksPodIdentityAssociation(this, 'prometheus-identity', {
      clusterName: props.clusterName,
      namespace: MONITORING_NAMESPACE,
      serviceAccount: PROMETHEUS_SERVICE_ACCOUNT,
      roleArn: role.arn,
    });

    this.values = chartValues(props);
    this.release = new Release(this, 'release', {
      name: RELEASE_NAME,
      repository: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      version: props.chartVersion ?? '79.7.1',
      namespace: namespace.metadata.name,
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
      // JSON is YAML: the values stay one typed object, rendered once.
      values: [JSON.stringify(this.values)],
      dependsOn: [adminSecret, storageClass, association],
    });

    const annotations: Record<string, string> = {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      ...(exposure === 'internal' ? { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' } : {}),
    };
    this.grafanaService = new ServiceV1(this, 'grafana-lb', {
      metadata: { name: 'grafana-lb', namespace: namespace.metadata.name, annotations },
      spec: {
        type: 'LoadBalancer',
        selector: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': RELEASE_NAME },
        port: [{ name: 'http', port: 80, targetPort: '3000', protocol: 'TCP' }],
        loadBalancerSourceRanges: allowed.length > 0 ? allowed : undefined,
      },
      waitForLoadBalancer: true,
      dependsOn: [this.release],
    });
    this.grafanaHostname = this.grafanaService.status.get(0).loadBalancer.get(0).ingress.get(0).hostname;

    this.grafanaHostnameOutput = new TerraformOutput(this, 'grafana-hostname', {
      value: this.grafanaHostname,
      description: "DNS name of Grafana's load balancer in this region.",
    });
  }
}

/** The chart values: scrape config, retention, storage, and the secret-based admin login. */
function chartValues(props: MonitoringProps): Record<string, unknown> {
  const maxAgeSeconds = (props.gitBackupMaxAgeMinutes ?? 30) * 60;
  return {
    prometheus: {
      serviceAccount: { create: true, name: PROMETHEUS_SERVICE_ACCOUNT },
      prometheusSpec: {
        retention: `${props.retentionDays ?? 15}d`,
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: 'gp3',
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: `${props.storageGb ?? 50}Gi` } },
            },
          },
        },
        additionalScrapeConfigs: [
          ec2ScrapeJob('app-tier', props.region, props.scrapeTarget),
          ec2ScrapeJob('git-server', props.region, props.gitScrapeTarget),
        ],
      },
    },
    // A failed or stale Git backup is seen: the backup job publishes the time of its last upload
    // that reached the bucket (node_exporter textfile); a stopped mirror is not scraped, so
    // only the running server can fire these.
    additionalPrometheusRulesMap: {
      'estate-git-backup': {
        groups: [
          {
            name: 'estate-git-backup',
            rules: [
              {
                alert: 'GitBackupStale',
                expr: `time() - max by (region) (${GIT_BACKUP_METRIC}) > ${maxAgeSeconds}`,
                for: '5m',
                labels: { severity: 'critical' },
                annotations: {
                  summary: `The last Git backup in {{ $labels.region }} is older than ${maxAgeSeconds / 60} minutes: the Git RPO is not being met.`,
                },
              },
              {
                alert: 'GitBackupNeverSucceeded',
                expr: `up{job="git-server"} == 1 unless on (instance) ${GIT_BACKUP_METRIC}`,
                for: `${maxAgeSeconds / 60}m`,
                labels: { severity: 'critical' },
                annotations: { summary: 'The running Git server has not completed a backup since it started.' },
              },
            ],
          },
        ],
      },
    },
    grafana: {
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
      service: { type: 'ClusterIP' },
    },
  };
}

/** A scrape job over the region's running EC2 instances that carry a tag. */
function ec2ScrapeJob(name: string, region: string, target: ScrapeTarget): Record<string, unknown> {
  return {
    job_name: name,
    ec2_sd_configs: [
      {
        region,
        port: target.port,
        filters: [
          { name: `tag:${target.tagKey}`, values: [target.tagValue] },
          { name: 'instance-state-name', values: ['running'] },
        ],
      },
    ],
    relabel_configs: [
      { source_labels: ['__meta_ec2_instance_id'], target_label: 'instance_id' },
      { source_labels: ['__meta_ec2_availability_zone'], target_label: 'availability_zone' },
      { target_label: 'region', replacement: region },
    ],
  };
}

function validateProps(id: string, exposure: 'internal' | 'internet', allowed: readonly string[]): void {
  for (const cidr of allowed) {
    const parsed = parseCidr(cidr);
    if (!parsed || parsed.prefixLength < 8) {
      throw new Error(
        `Monitoring ${id}: grafanaAllowedCidrs has "${cidr}", expected IPv4 networks of /8 or smaller (never the world).`,
      );
    }
  }
  if (exposure === 'internet' && allowed.length === 0) {
    throw new Error(
      `Monitoring ${id}: grafanaExposure is "internet" with no grafanaAllowedCidrs, expected at least one allowed network.`,
    );
  }
}
