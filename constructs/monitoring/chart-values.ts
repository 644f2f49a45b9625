import { GIT_BACKUP_METRIC } from '../user-data';
import {
  ALERTMANAGER_SERVICE_ACCOUNT,
  GRAFANA_ADMIN_SECRET,
  MONITORING_NAMESPACE,
  PROMETHEUS_SERVICE_ACCOUNT,
  type MonitoringProps,
  type ScrapeTarget,
} from './props';

/* kube-prometheus-stack's values for a region: scrape jobs, alert routing, rules, dashboards. */

/** Requests and limits sized for two t3.medium nodes (2 vCPU, 4 GiB each) shared with the system pods. */
export const MONITORING_RESOURCES = {
  prometheus: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
  alertmanager: { requests: { cpu: '25m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  grafana: { requests: { cpu: '50m', memory: '192Mi' }, limits: { memory: '384Mi' } },
  operator: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  kubeStateMetrics: { requests: { cpu: '25m', memory: '64Mi' }, limits: { memory: '192Mi' } },
  nodeExporter: { requests: { cpu: '25m', memory: '32Mi' }, limits: { memory: '64Mi' } },
} as const;

/**
 * The chart values. The chart's defaults are for self-managed clusters; on EKS: the control
 * plane's controller-manager, scheduler and etcd expose no metrics to the cluster, and
 * kube-proxy binds its metrics to localhost, so none is scraped or alerted on (their absent(up)
 * alerts would fire forever). Alerts go to the region's topic; Watchdog, the always-firing
 * heartbeat, goes to the heartbeat topic every minute (the dead-man's switch is outside the
 * cluster), InfoInhibitor nowhere. Nothing depends on the DR posture: the stack may never be
 * redeployed during an outage, so it must be right in every posture as it is. Every component has requests and limits; Prometheus
 * stops at `retentionSize` before its volume is full (a full disk crash-loops it). Grafana
 * keeps nothing of its own: data sources, dashboards (sidecar ConfigMaps) and the admin login
 * are provisioned, so it needs no volume. Chart upgrades upgrade the CRDs (Helm installs CRDs
 * only on first install).
 */
export function chartValues(props: MonitoringProps): Record<string, unknown> {
  const maxAgeSeconds = (props.gitBackupMaxAgeMinutes ?? 30) * 60;
  const storageGb = props.storageGb;
  return {
    crds: { enabled: true, upgradeJob: { enabled: true } },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    prometheusOperator: { resources: MONITORING_RESOURCES.operator },
    'kube-state-metrics': { resources: MONITORING_RESOURCES.kubeStateMetrics },
    'prometheus-node-exporter': { resources: MONITORING_RESOURCES.nodeExporter },
    alertmanager: {
      serviceAccount: { create: true, name: ALERTMANAGER_SERVICE_ACCOUNT },
      alertmanagerSpec: { resources: MONITORING_RESOURCES.alertmanager },
      config: alertmanagerConfig(props),
    },
    prometheus: {
      serviceAccount: { create: true, name: PROMETHEUS_SERVICE_ACCOUNT },
      prometheusSpec: {
        retention: `${props.retentionDays}d`,
        // Every series and alert says which region it comes from (both regions page one topic each).
        externalLabels: { region: props.region },
        // Prometheus' GB are GiB: leave a fifth of the volume for the WAL and compaction.
        retentionSize: `${Math.floor(storageGb * 0.8)}GB`,
        resources: MONITORING_RESOURCES.prometheus,
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: 'gp3',
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: `${storageGb}Gi` } },
            },
          },
        },
        additionalScrapeConfigs: [
          ec2ScrapeJob('app-tier', props.region, props.scrapeTarget),
          ec2ScrapeJob('app-api', props.region, props.appScrapeTarget),
          ec2ScrapeJob('git-server', props.region, props.gitScrapeTarget),
        ],
      },
    },
    additionalPrometheusRulesMap: {
      // Whether the region should run app servers at all is the DR posture's, read live by the
      // regional stack's CloudWatch alarms (AppTierDown); nothing here depends on the posture.
      'estate-app-tier': { groups: [appTierRules()] },
      // A failed or stale Git backup is seen: the backup job publishes the time of its last upload
      // that reached the bucket (node_exporter textfile); a stopped mirror is not scraped, so
      // only the running server can fire these.
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
      persistence: { enabled: false },
      resources: MONITORING_RESOURCES.grafana,
      sidecar: { dashboards: { enabled: true, label: GRAFANA_DASHBOARD_LABEL, labelValue: '1' } },
    },
    extraManifests: [appTierDashboard()],
  };
}

/** Label the Grafana sidecar loads dashboards from. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

/** Alertmanager's configuration: everything to the region's topic, grouped per alert and region. */
function alertmanagerConfig(props: MonitoringProps): Record<string, unknown> {
  return {
    global: { resolve_timeout: '5m' },
    route: {
      group_by: ['alertname', 'region', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      receiver: 'alert-topic',
      routes: [
        // The heartbeat that proves the pipeline works: every minute to the heartbeat topic, whose
        // silence a CloudWatch alarm outside the cluster pages on (the dead-man's switch).
        { matchers: ['alertname = "Watchdog"'], receiver: 'heartbeat', group_wait: '0s', group_interval: '1m', repeat_interval: '1m' },
        // The chart's inhibition helper.
        { matchers: ['alertname = "InfoInhibitor"'], receiver: 'null' },
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ['namespace', 'alertname'] },
      { source_matchers: ['severity = "warning"'], target_matchers: ['severity = "info"'], equal: ['namespace', 'alertname'] },
    ],
    receivers: [
      { name: 'null' },
      { name: 'heartbeat', sns_configs: [{ topic_arn: props.heartbeatTopicArn, sigv4: { region: props.region }, subject: `heartbeat (${props.region})`, send_resolved: false }] },
      {
        name: 'alert-topic',
        sns_configs: [
          {
            topic_arn: props.alertTopicArn,
            sigv4: { region: props.region },
            subject: `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} (${props.region})`,
            send_resolved: true,
          },
        ],
      },
    ],
    templates: ['/etc/alertmanager/config/*.tmpl'],
  };
}

/** Alert rules on the app tier's own metrics (none depends on how many servers the DR posture runs). */
function appTierRules(): Record<string, unknown> {
  return {
    name: 'estate-app-tier',
    rules: [
      {
        alert: 'AppApiErrors',
        expr: 'sum(rate(estate_app_requests_total{job="app-api",code=~"5.."}[5m])) / sum(rate(estate_app_requests_total{job="app-api"}[5m])) > 0.05',
        for: '10m',
        labels: { severity: 'warning' },
        annotations: { summary: 'More than 5% of the app\'s requests fail (5xx): the health check answers 503 while the database is unusable.' },
      },
      {
        alert: 'AppApiSlow',
        expr: 'histogram_quantile(0.95, sum by (le, route) (rate(estate_app_request_duration_seconds_bucket{job="app-api",route!="/metrics"}[5m]))) > 1',
        for: '10m',
        labels: { severity: 'warning' },
        annotations: { summary: 'The app\'s 95th percentile latency on {{ $labels.route }} is over 1 s.' },
      },
      {
        alert: 'AppTierInstanceDown',
        expr: 'up{job="app-tier"} == 0',
        for: '5m',
        labels: { severity: 'warning' },
        annotations: { summary: 'App server {{ $labels.instance_id }} ({{ $labels.availability_zone }}) does not answer on node_exporter.' },
      },
    ],
  };
}

/** The app tier's dashboard, a ConfigMap the Grafana sidecar provisions. */
function appTierDashboard(): Record<string, unknown> {
  // The chart passes extra manifests through `tpl`, so no `{{ }}` legend: Grafana names series itself.
  const panel = (id: number, title: string, expr: string, y: number) => ({
    id,
    title,
    type: 'timeseries',
    datasource: { type: 'prometheus', uid: 'prometheus' },
    gridPos: { h: 8, w: 12, x: (id - 1) % 2 === 0 ? 0 : 12, y },
    targets: [{ expr, legendFormat: '__auto', refId: 'A' }],
  });
  const dashboard = {
    uid: 'estate-app-tier',
    title: 'Estate: app tier and DR signals',
    tags: ['estate'],
    timezone: 'utc',
    schemaVersion: 39,
    refresh: '1m',
    panels: [
      panel(1, 'App servers up', 'sum by (region) (up{job="app-tier"})', 0),
      panel(2, 'CPU busy per server', '1 - avg by (instance_id) (rate(node_cpu_seconds_total{job="app-tier",mode="idle"}[5m]))', 0),
      panel(3, 'Memory available per server', 'node_memory_MemAvailable_bytes{job="app-tier"}', 8),
      panel(4, 'Git backup age (s)', `time() - max by (region) (${GIT_BACKUP_METRIC})`, 8),
      panel(5, 'Requests per second by route and status', 'sum by (route, code) (rate(estate_app_requests_total{job="app-api"}[5m]))', 16),
      panel(6, 'Latency p95 by route (s)', 'histogram_quantile(0.95, sum by (le, route) (rate(estate_app_request_duration_seconds_bucket{job="app-api"}[5m])))', 16),
    ],
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'estate-app-tier-dashboard', namespace: MONITORING_NAMESPACE, labels: { [GRAFANA_DASHBOARD_LABEL]: '1' } },
    data: { 'estate-app-tier.json': JSON.stringify(dashboard) },
  };
}

/** A scrape job over the region's running EC2 instances that carry a tag. */
function ec2ScrapeJob(name: string, region: string, target: ScrapeTarget): Record<string, unknown> {
  return {
    job_name: name,
    metrics_path: target.metricsPath ?? '/metrics',
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
