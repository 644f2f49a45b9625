import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsEksAddonVersion } from '@cdktf/provider-aws/lib/data-aws-eks-addon-version';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Fn, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { keyPolicy } from '../encryption-key';
import { podIdentityTrust, serviceTrust } from '../trust';
import { IMDS_V2_ONLY } from '../imds';
import { EKS_ADDONS, validateProps, type EksAddonKey, type KubernetesClusterProps } from './props';
import { AWS_MANAGED_POLICY_ARNS } from '../managed-policies';

export * from './props';

const CONTROL_PLANE_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/**
 * The EKS access policies the cluster grants (Amazon EKS user guide, "Review access policy
 * permissions"): cluster admin, and admin view (get, list and watch on every resource, Kubernetes
 * Secrets included).
 */
export const ACCESS_POLICIES = { admin: 'AmazonEKSClusterAdminPolicy', view: 'AmazonEKSAdminViewPolicy' } as const;

/**
 * An EKS cluster in the private subnets: secrets encrypted with its own KMS key, all
 * control-plane logs kept, a private API endpoint (public only for named networks), access
 * granted by access entries to configured roles only, a managed node group with IMDSv2 and
 * encrypted volumes, and the core add-ons (VPC CNI, CoreDNS, kube-proxy, Pod Identity agent,
 * EBS CSI driver for persistent volumes).
 */
export class KubernetesCluster extends Construct {
  /** The cluster. */
  readonly cluster: EksCluster;
  /** Cluster name. */
  readonly clusterName: string;
  /** API server endpoint. */
  readonly endpoint: string;
  /** Base64 certificate authority data of the API server. */
  readonly certificateAuthorityData: string;
  /** Security group EKS gives the control plane and the managed nodes. */
  readonly clusterSecurityGroupId: string;
  /**
   * The managed node groups: one per AZ, in the first `min(AZs, nodeCount)` private subnets, so
   * a replaced node comes back in its group's AZ and can mount the EBS volumes created there
   * (Prometheus' among them); a group spanning AZs may rebalance a node away from its volume.
   */
  readonly nodeGroups: readonly EksNodeGroup[];
  /** Output carrying the node groups' AZs (comma-separated), for storage classes pinned to them. */
  readonly nodeAvailabilityZonesOutput: TerraformOutput;
  /** Kubernetes version. */
  readonly kubernetesVersion: string;
  /** Output carrying {@link endpoint}, for stacks that configure providers from it. */
  readonly endpointOutput: TerraformOutput;
  /** Output carrying {@link certificateAuthorityData}. */
  readonly certificateAuthorityOutput: TerraformOutput;

  constructor(scope: Construct, id: string, props: KubernetesClusterProps) {
    super(scope, id);
    validateProps(id, props);
    const version = props.kubernetesVersion;
    const nodeCount = props.nodeCount;
    this.kubernetesVersion = version;
    this.clusterName = props.name;

    const key = new KmsKey(this, 'secrets-key', {
      description: `${props.name}: EKS secrets envelope encryption`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy(this, 'secrets-key-policy', props.accountId),
      // Without it the cluster's secrets are unreadable.
      lifecycle: { preventDestroy: true },
    });
    // Created before the cluster, so EKS writes into a group with a retention.
    const logs = new CloudwatchLogGroup(this, 'control-plane-logs', {
      name: `/aws/eks/${props.name}/cluster`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKeyArn,
    });

    const clusterRole = new IamRole(this, 'cluster-role', {
      name: `${props.name}-cluster`,
      assumeRolePolicy: serviceTrust(this, 'cluster-trust', 'eks.amazonaws.com'),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'cluster-policy', {
      role: clusterRole.name,
      policyArn: AWS_MANAGED_POLICY_ARNS.eksCluster,
    });

    const publicCidrs = [...(props.publicAccessCidrs ?? [])];
    this.cluster = new EksCluster(this, 'cluster', {
      name: props.name,
      version,
      roleArn: clusterRole.arn,
      // Set, never left to the API's default (extended support, billed per cluster hour).
      upgradePolicy: { supportType: props.upgradeSupport ?? 'STANDARD' },
      vpcConfig: {
        subnetIds: props.network.privateSubnets.map((s) => s.id),
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        publicAccessCidrs: publicCidrs.length > 0 ? publicCidrs : undefined,
      },
      accessConfig: {
        authenticationMode: 'API',
        bootstrapClusterCreatorAdminPermissions: false,
      },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: key.arn } },
      enabledClusterLogTypes: CONTROL_PLANE_LOGS,
      dependsOn: [logs, clusterPolicy],
    });
    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.get(0).data;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;

    const grant = (kind: 'admin' | 'view', principalArn: string, index: number) => {
      const entry = new EksAccessEntry(this, `${kind}-${index}`, {
        clusterName: this.cluster.name,
        principalArn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, `${kind}-${index}-policy`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: `arn:aws:eks::aws:cluster-access-policy/${ACCESS_POLICIES[kind]}`,
        accessScope: { type: 'cluster' },
      });
    };
    props.adminRoleArns.forEach((arn, index) => grant('admin', arn, index));
    (props.viewRoleArns ?? []).forEach((arn, index) => grant('view', arn, index));

    this.nodeGroups = this.addNodeGroups(props, nodeCount);
    this.nodeAvailabilityZonesOutput = new TerraformOutput(this, 'node-availability-zones', {
      value: Fn.join(',', props.network.privateSubnets.slice(0, this.nodeGroups.length).map((subnet) => subnet.availabilityZone)),
      description: 'AZs of the managed node groups, comma-separated: volumes belong in these.',
    });
    this.addAddons(props, version);

    new TerraformOutput(this, 'name', { value: this.cluster.name, description: 'EKS cluster name.' });
    this.endpointOutput = new TerraformOutput(this, 'endpoint', {
      value: this.endpoint,
      description: 'EKS API server endpoint.',
    });
    this.certificateAuthorityOutput = new TerraformOutput(this, 'certificate-authority', {
      value: this.certificateAuthorityData,
      description: 'Base64 certificate authority data of the EKS API server.',
    });
  }

  private addNodeGroups(props: KubernetesClusterProps, nodeCount: number): EksNodeGroup[] {
    const nodeRole = new IamRole(this, 'node-role', {
      name: `${props.name}-node`,
      assumeRolePolicy: serviceTrust(this, 'node-trust', 'ec2.amazonaws.com'),
    });
    const attachments = [
      AWS_MANAGED_POLICY_ARNS.eksWorkerNode,
      AWS_MANAGED_POLICY_ARNS.eksCni,
      AWS_MANAGED_POLICY_ARNS.ecrReadOnly,
      AWS_MANAGED_POLICY_ARNS.ssmManagedInstanceCore,
    ].map(
      (policyArn) =>
        // The construct id is the policy's name, as it always was (a stable address).
        new IamRolePolicyAttachment(this, `node-${policyArn.split('/').pop()}`, { role: nodeRole.name, policyArn }),
    );
    const template = new LaunchTemplate(this, 'node-template', {
      name: `${props.name}-node`,
      description: 'EKS managed nodes: IMDSv2 and encrypted volumes',
      // IMDS_V2_ONLY's hop limit of 1: a pod on the pod network cannot reach IMDS, so it cannot
      // take the node role (EKS Best Practices Guide, "Restrict access to the instance profile
      // assigned to the worker node"). What runs on the nodes does not need it: the VPC CNI,
      // kube-proxy and the Pod Identity agent use the host network (no extra hop); the EBS CSI
      // controller, Prometheus and Alertmanager get their own roles through Pod Identity; the
      // EBS CSI node plugin reads its metadata from the Kubernetes API when IMDS is out of reach.
      metadataOptions: IMDS_V2_ONLY,
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: { volumeType: 'gp3', volumeSize: 50, encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      tagSpecifications: [
        { resourceType: 'instance', tags: { ...props.launchTags, Name: `${props.name}-node` } },
        { resourceType: 'volume', tags: { ...props.launchTags, Name: `${props.name}-node` } },
      ],
      updateDefaultVersion: true,
    });
    const subnets = props.network.privateSubnets.slice(0, Math.min(props.network.privateSubnets.length, nodeCount));
    const maxCount = props.nodeMaxCount;
    return subnets.map((subnet, i) => {
      // nodeCount and nodeMaxCount spread over the groups, the first ones taking the remainder.
      const share = (total: number) => Math.floor(total / subnets.length) + (i < total % subnets.length ? 1 : 0);
      const size = share(nodeCount);
      return new EksNodeGroup(this, `nodes-${i}`, {
        clusterName: this.cluster.name,
        nodeGroupName: `default-${i}`,
        nodeRoleArn: nodeRole.arn,
        subnetIds: [subnet.id],
        amiType: 'AL2023_x86_64_STANDARD',
        capacityType: 'ON_DEMAND',
        instanceTypes: [props.nodeInstanceType],
        scalingConfig: { desiredSize: size, minSize: size, maxSize: Math.max(size, share(maxCount)) },
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: template.id, version: template.latestVersion.toString() },
        dependsOn: attachments,
      });
    });
  }

  private addAddons(props: KubernetesClusterProps, version: string): void {
    const ebsCsiRole = new IamRole(this, 'ebs-csi-role', {
      name: `${props.name}-ebs-csi`,
      assumeRolePolicy: podIdentityTrust(this, 'ebs-csi-trust'),
    });
    new IamRolePolicyAttachment(this, 'ebs-csi-policy', {
      role: ebsCsiRole.name,
      policyArn: AWS_MANAGED_POLICY_ARNS.ebsCsiDriver,
    });
    const installed: Partial<Record<EksAddonKey, EksAddon>> = {};
    // Object key order is the install order: the Pod Identity agent before the EBS CSI driver.
    for (const key of Object.keys(EKS_ADDONS) as EksAddonKey[]) {
      const addonName = EKS_ADDONS[key];
      const pinned = props.addonVersions?.[key];
      const addonVersion =
        pinned ??
        new DataAwsEksAddonVersion(this, `${addonName}-default-version`, {
          addonName,
          kubernetesVersion: version,
          mostRecent: false,
        }).version;
      // CoreDNS and the EBS CSI controller run as pods: they wait for nodes. The EBS CSI
      // driver's AWS credentials come through the Pod Identity agent: it waits for that too.
      const dependsOn = [
        ...(key === 'coredns' || key === 'ebsCsiDriver' ? this.nodeGroups : []),
        ...(key === 'ebsCsiDriver' && installed.podIdentityAgent ? [installed.podIdentityAgent] : []),
      ];
      installed[key] = new EksAddon(this, `addon-${addonName}`, {
        clusterName: this.cluster.name,
        addonName,
        addonVersion,
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'PRESERVE',
        podIdentityAssociation:
          key === 'ebsCsiDriver' ? [{ roleArn: ebsCsiRole.arn, serviceAccount: 'ebs-csi-controller-sa' }] : undefined,
        dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
      });
    }
  }
}
