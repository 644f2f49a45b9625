import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { checkAdmittedNetworks } from '../../config/cidr';
import { ephemeralResource } from '../ephemeral';
import { podIdentityTrust } from '../trust';
import { chartValues } from './chart-values';
import {
  ALERTMANAGER_SERVICE_ACCOUNT,
  GRAFANA_ADMIN_SECRET,
  MONITORING_NAMESPACE,
  PROMETHEUS_EC2_ACTIONS,
  PROMETHEUS_SERVICE_ACCOUNT,
  RELEASE_NAME,
  type MonitoringProps,
} from './props';

export * from './props';
export { GRAFANA_DASHBOARD_LABEL, MONITORING_RESOURCES } from './chart-values';

/**
 * kube-prometheus-stack on a region's EKS cluster: Prometheus (retention, persistent gp3
 * storage) scraping the app tier through EC2 service discovery with its own least-privilege
 * role (EKS Pod Identity), and Grafana with a generated admin password written (write-only)
 * into a Kubernetes secret and a Secrets Manager secret, behind a load balancer whose name is
 * exposed for the DR switch's DNS record.
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
  /** Output carrying {@link grafanaHostname}, for the DNS stack. */
  readonly grafanaHostnameOutput: TerraformOutput;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const exposure = props.grafanaExposure;
    const allowed = [...(props.grafanaAllowedCidrs ?? [])];
    validateProps(id, exposure, allowed);

    const namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: MONITORING_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'monitoring' } },
    });
    const storageClass = new StorageClassV1(this, 'gp3', {
      metadata: { name: 'gp3' },
      storageProvisioner: 'ebs.csi.aws.com',
      // The EBS CSI driver tags each volume it creates: one tagSpecification_<n> per tag.
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        ...Object.fromEntries(Object.entries(props.resourceTags ?? {}).map(([k, v], i) => [`tagSpecification_${i + 1}`, `${k}=${v}`])),
      },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      allowedTopologies: {
        matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: props.nodeAvailabilityZones }],
      },
    });

    // Grafana's admin password never reaches plan or state: an ephemeral value, written once
    // (write-only arguments, revision 1) into the Kubernetes secret Grafana reads and into a
    // Secrets Manager secret operators read it from. Raise both revisions to set a new one.
    const password = ephemeralResource(this, 'grafana-admin-password', 'random_password', { length: 32, special: false });
    const adminSecret = new SecretV1(this, 'grafana-admin', {
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: namespace.metadata.name },
      dataWo: { 'admin-user': 'admin', 'admin-password': `\${${password}.result}` },
      dataWoRevision: 1,
      type: 'Opaque',
    });
    const adminCopy = new SecretsmanagerSecret(this, 'grafana-admin-copy', {
      name: props.adminSecretName,
      description: `Grafana admin password of ${props.clusterName} (the same value as the ${GRAFANA_ADMIN_SECRET} Kubernetes secret)`,
      kmsKeyId: props.storageKeyAlias,
      recoveryWindowInDays: 7,
      // Its value is written once: a new secret would be empty.
      lifecycle: { preventDestroy: true },
    });
    new SecretsmanagerSecretVersion(this, 'grafana-admin-copy-value', {
      secretId: adminCopy.id,
      secretStringWo: `\${jsonencode({ username = "admin", password = ${password}.result })}`,
      secretStringWoVersion: 1,
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

    // Alertmanager publishes to the region's alert topic with its own role (sigv4).
    const alertmanagerRole = new IamRole(this, 'alertmanager-role', {
      name: `${props.name}-alertmanager`,
      assumeRolePolicy: podIdentityTrust(this, 'alertmanager-trust'),
    });
    const publish = new DataAwsIamPolicyDocument(this, 'alertmanager-publish', {
      statement: [
        { sid: 'PublishAlertsAndTheHeartbeat', actions: ['sns:Publish'], resources: [props.alertTopicArn, props.heartbeatTopicArn] },
        {
          // The topic is encrypted with its own key; the key is only usable through SNS.
          sid: 'EncryptForTheTopic',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`sns.${props.region}.amazonaws.com`] }],
        },
      ],
    });
    new IamRolePolicy(this, 'alertmanager-policy', { name: 'publish-alerts', role: alertmanagerRole.id, policy: publish.json });
    const alertmanagerAssociation = new EksPodIdentityAssociation(this, 'alertmanager-identity', {
      clusterName: props.clusterName,
      namespace: MONITORING_NAMESPACE,
      serviceAccount: ALERTMANAGER_SERVICE_ACCOUNT,
      roleArn: alertmanagerRole.arn,
    });

    this.values = chartValues(props);
    this.release = new Release(this, 'release', {
      name: RELEASE_NAME,
      repository: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      version: props.chartVersion,
      namespace: namespace.metadata.name,
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
      // JSON is YAML: the values stay one typed object, rendered once.
      values: [JSON.stringify(this.values)],
      dependsOn: [adminSecret, storageClass, association, alertmanagerAssociation],
    });

    const annotations: Record<string, string> = {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      ...(Object.keys(props.resourceTags ?? {}).length
        ? {
            'service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags': Object.entries(props.resourceTags ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(','),
          }
        : {}),
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

function validateProps(id: string, exposure: 'internal' | 'internet', allowed: readonly string[]): void {
  checkAdmittedNetworks(`Monitoring ${id}`, 'grafanaAllowedCidrs', allowed);
  if (exposure === 'internet' && allowed.length === 0) {
    throw new Error(
      `Monitoring ${id}: grafanaExposure is "internet" with no grafanaAllowedCidrs, expected at least one allowed network.`,
    );
  }
}
