/* The monitoring construct's props and the names the rest of the estate shares with it. */

/** What Prometheus discovers and scrapes outside the cluster. */
export interface ScrapeTarget {
  /** EC2 tag name the targets carry. */
  readonly tagKey: string;
  /** Value of that tag. */
  readonly tagValue: string;
  /** Port of the exporter. */
  readonly port: number;
  /**
   * Path of the metrics.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
}

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** Prefix of IAM names, unique per account and region. */
  readonly name: string;
  /** Name of the Secrets Manager secret that keeps a copy of Grafana's admin password. */
  readonly adminSecretName: string;
  /** Region of the cluster and of the EC2 instances Prometheus discovers. */
  readonly region: string;
  /** Name of the EKS cluster the chart is installed on (for the Pod Identity association). */
  readonly clusterName: string;
  /**
   * AZs of the cluster's node groups: Prometheus' volume is created in one of them only, so a
   * replacement node (its group stays in its AZ) can always mount it.
   */
  readonly nodeAvailabilityZones: string[];
  /** EC2 instances Prometheus scrapes (the app tier's node_exporter). */
  readonly scrapeTarget: ScrapeTarget;
  /** The app's own metrics on the same instances (requests, errors, latency per route). */
  readonly appScrapeTarget: ScrapeTarget;
  /** The region's Git server (node_exporter with the backup-age metric), when it runs. */
  readonly gitScrapeTarget: ScrapeTarget;
  /** The region's alert topic: Alertmanager's default receiver. */
  readonly alertTopicArn: string;
  /**
   * ARN of the region's heartbeat topic: Alertmanager's Watchdog (always firing) goes there
   * every minute, and a CloudWatch alarm outside the cluster pages when it stops.
   */
  readonly heartbeatTopicArn: string;
  /**
   * Alias of the region's storage key: the Secrets Manager copy of Grafana's admin password
   * is encrypted with it.
   */
  readonly storageKeyAlias: string;
  /**
   * Tags for the AWS resources Kubernetes creates (Prometheus' EBS volume, Grafana's load
   * balancer): the provider's default_tags do not reach them. Keys and values without , or =.
   * @default - none
   */
  readonly resourceTags?: Readonly<Record<string, string>>;
  /**
   * Age of the last successful Git backup past which an alert fires (the Git RPO's budget).
   * @default 30
   */
  readonly gitBackupMaxAgeMinutes?: number;
  /**
   * kube-prometheus-stack chart version.
   */
  readonly chartVersion: string;
  /**
   * Days Prometheus keeps samples.
   */
  readonly retentionDays: number;
  /**
   * Size of Prometheus' gp3 volume, GiB.
   */
  readonly storageGb: number;
  /**
   * Grafana's load balancer: `internal` (inside the VPC, reached over VPN) or `internet`
   * (only from `grafanaAllowedCidrs`).
   */
  readonly grafanaExposure: 'internal' | 'internet';
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
/** Service account Alertmanager runs as (its AWS role, allowed to publish alerts, is bound to it). */
export const ALERTMANAGER_SERVICE_ACCOUNT = 'alertmanager';
/** Kubernetes secret holding Grafana's admin credentials. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
/** The only AWS actions Prometheus' EC2 discovery needs. */
export const PROMETHEUS_EC2_ACTIONS = ['ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances'];
