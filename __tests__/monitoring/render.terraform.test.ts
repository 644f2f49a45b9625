import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { MONITORING_NAMESPACE } from '../../constructs/monitoring';
import { findOnPath } from '../../scripts/terraform/toolchain';
import { synthEstate } from '../helpers';
import { skipBecause } from '../skips';

/*
 * kube-prometheus-stack rendered (`helm template`) with each monitoring stack's synthesized
 * values, from the vendored upstream chart (charts/): the chart judges the values. helm comes
 * from HELM, .tools/helm/helm (node scripts/tools/helm.mjs puts it there; .ci/run does) or
 * PATH. Without one the tests are skipped and say so; with ESTATE_REQUIRE_HELM=1 they fail.
 */

const root = join(__dirname, '..', '..');
const helm = [process.env.HELM, join(root, '.tools', 'helm', 'helm'), findOnPath('helm', process.env.PATH ?? '')].find(
  (p): p is string => Boolean(p && existsSync(p)),
);
const required = process.env.ESTATE_REQUIRE_HELM === '1';
if (!helm && !required) {
  skipBecause(__filename, 'no helm binary (run node scripts/tools/helm.mjs, or set HELM)');
}

type Manifest = { kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };

const estate = synthEstate();
const monitoringStacks = Object.values(estate.stacks.monitoring).map((s) => estate.byName[s.node.id]);

/** Renders the chart with a stack's values; the manifests by kind. */
function render(stack: (typeof monitoringStacks)[number]): Manifest[] {
  const release = Object.values(stack.json.resource.helm_release as Record<string, any>)[0];
  const chart = join(root, 'charts', `${release.chart}-${release.version}.tgz`);
  if (!existsSync(chart)) throw new Error(`the chart ${release.chart} ${release.version} is not in charts/ (see charts/README.md)`);
  const dir = mkdtempSync(join(tmpdir(), 'render-'));
  try {
    writeFileSync(join(dir, 'values.json'), release.values[0]);
    const out = execFileSync(
      helm!,
      ['template', release.name, chart, '--namespace', MONITORING_NAMESPACE, '--kube-version', estate.config.eks.kubernetesVersion, '-f', join(dir, 'values.json')],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    return parseAllDocuments(out)
      .map((d) => d.toJSON() as Manifest | null)
      .filter((m): m is Manifest => Boolean(m?.kind));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const suite = helm || required ? describe : describe.skip;

suite.each(monitoringStacks.map((s) => [s.name, s] as const))('%s rendered', (_name, stack) => {
  let manifests: Manifest[];
  beforeAll(() => {
    if (!helm) throw new Error('ESTATE_REQUIRE_HELM=1 but no helm binary: run node scripts/tools/helm.mjs or set HELM.');
    manifests = render(stack);
  });
  const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const alerts = () =>
    ofKind('PrometheusRule').flatMap((r) => (r.spec.groups ?? []).flatMap((g: any) => (g.rules ?? []).filter((x: any) => x.alert)));

  // EKS runs the control plane: controller-manager, scheduler and etcd expose no metrics to the
  // cluster (and kube-proxy binds its metrics to localhost), so scraping them finds nothing and
  // the chart's absent(up) alerts fire forever.
  test('scrapes and alerts on no control-plane component EKS does not expose', () => {
    const hidden = /kube-(controller-manager|scheduler|etcd|proxy)/;
    expect(ofKind('ServiceMonitor').map((m) => m.metadata.name).filter((n) => hidden.test(n))).toEqual([]);
    expect(ofKind('Service').map((m) => m.metadata.name).filter((n) => hidden.test(n))).toEqual([]);
    const names = alerts().map((a: any) => a.alert);
    expect(names.filter((n: string) => /^(KubeControllerManagerDown|KubeSchedulerDown|KubeProxyDown|etcd)/.test(n))).toEqual([]);
    expect(names).toContain('KubePodCrashLooping');
  });

  test("Alertmanager's default route goes to the region's SNS topic; Watchdog goes every minute to the heartbeat topic; only the chart's InfoInhibitor goes to null", () => {
    const secret = ofKind('Secret').find((s) => s.metadata.name === 'alertmanager-kube-prometheus-stack-alertmanager')!;
    const config = parseAllDocuments(Buffer.from(secret.data['alertmanager.yaml'], 'base64').toString('utf8'))[0].toJSON() as any;
    expect(config.route.receiver).not.toBe('null');
    const receiver = config.receivers.find((r: any) => r.name === config.route.receiver);
    expect(receiver.sns_configs).toEqual([
      expect.objectContaining({
        topic_arn: `arn:aws:sns:${stack.json.provider.aws[0].region}:${estate.config.accountId}:dr-estate-prod-${stack.json.provider.aws[0].region}-alerts`,
        sigv4: { region: stack.json.provider.aws[0].region },
      }),
    ]);
    const toNull = (config.route.routes ?? []).filter((r: any) => r.receiver === 'null');
    expect(toNull.map((r: any) => r.matchers)).toEqual([['alertname = "InfoInhibitor"']]);
    const watchdog = (config.route.routes ?? []).find((r: any) => r.matchers?.includes('alertname = "Watchdog"'));
    expect(watchdog).toMatchObject({ receiver: 'heartbeat', repeat_interval: '1m' });
    const heartbeat = config.receivers.find((r: any) => r.name === 'heartbeat');
    expect(heartbeat.sns_configs).toEqual([
      expect.objectContaining({ topic_arn: `arn:aws:sns:${stack.json.provider.aws[0].region}:${estate.config.accountId}:dr-estate-prod-${stack.json.provider.aws[0].region}-heartbeat` }),
    ]);
  });

  test('Prometheus has requests, limits and a retention size below its volume', () => {
    const prometheus = ofKind('Prometheus')[0];
    expect(prometheus.spec.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(prometheus.spec.resources.limits.memory).toEqual(expect.any(String));
    const size = Number(/^(\d+)GB$/.exec(prometheus.spec.retentionSize)?.[1]);
    const volume = Number(/^(\d+)Gi$/.exec(prometheus.spec.storage.volumeClaimTemplate.spec.resources.requests.storage)?.[1]);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(volume);
  });

  test('Grafana and Alertmanager have requests; Grafana keeps nothing it would lose (all provisioned)', () => {
    const grafana = ofKind('Deployment').find((d) => d.metadata.name === 'kube-prometheus-stack-grafana')!;
    const container = grafana.spec.template.spec.containers.find((c: any) => c.name === 'grafana');
    expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(ofKind('PersistentVolumeClaim').filter((p) => p.metadata.name.includes('grafana'))).toEqual([]);
    expect(ofKind('Alertmanager')[0].spec.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
  });

  test("Prometheus scrapes the app's own /metrics on the app port beside node_exporter", () => {
    const secret = ofKind('Secret').find((s) => s.metadata.name === 'kube-prometheus-stack-prometheus-scrape-confg')!;
    const jobs = parseAllDocuments(Buffer.from(secret.data['additional-scrape-configs.yaml'], 'base64').toString('utf8'))[0].toJSON() as any[];
    const byName = Object.fromEntries(jobs.map((j) => [j.job_name, j]));
    expect(byName['app-api']).toMatchObject({ metrics_path: '/metrics', ec2_sd_configs: [expect.objectContaining({ port: 8080 })] });
    expect(byName['app-tier']).toMatchObject({ ec2_sd_configs: [expect.objectContaining({ port: 9100 })] });
  });

  test('the app tier has alert rules and a dashboard provisioned through the sidecar', () => {
    const appAlerts = alerts().filter((a: any) => /job="app-(tier|api)"/.test(String(a.expr)));
    expect(appAlerts.map((a: any) => a.alert).sort()).toEqual(expect.arrayContaining(['AppTierInstanceDown', 'AppApiErrors', 'AppApiSlow']));
    // Whether servers should run at all is the posture's, read live by CloudWatch (AppTierDown).
    expect(appAlerts.filter((a: any) => /vector\(\d+\)/.test(String(a.expr)))).toEqual([]);
    const dashboards = ofKind('ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    const app = dashboards.find((c) => Object.values(c.data ?? {}).some((v) => String(v).includes('job=\\"app-tier\\"')));
    expect(app).toBeDefined();
  });

  test('chart upgrades upgrade the CRDs too (Helm installs CRDs only once)', () => {
    expect(ofKind('Job').map((j) => j.metadata.name)).toContain('kube-prometheus-stack-admission-create');
    const crdJob = manifests.find((m) => m.kind === 'Job' && m.metadata.name.includes('upgrade'));
    expect(crdJob).toBeDefined();
  });
});
