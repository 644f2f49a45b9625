import { checkAdmittedNetworks } from '../../config/cidr';
import type { LogRetentionDays } from '../../config/regions';
import type { Network } from '../network';

/* The cluster's props, its add-ons, and the checks the props get before anything is built. */

/** EKS add-ons the cluster runs, by their AWS names. */
export const EKS_ADDONS = {
  vpcCni: 'vpc-cni',
  coredns: 'coredns',
  kubeProxy: 'kube-proxy',
  podIdentityAgent: 'eks-pod-identity-agent',
  ebsCsiDriver: 'aws-ebs-csi-driver',
} as const;

/** A key of {@link EKS_ADDONS}. */
export type EksAddonKey = keyof typeof EKS_ADDONS;

/** Props of {@link KubernetesCluster}. */
export interface KubernetesClusterProps {
  /** Cluster name (also the prefix of its IAM names), unique per account and region. */
  readonly name: string;
  /** The region's network: control plane ENIs and nodes in its private subnets. */
  readonly network: Network;
  /** IAM roles given cluster-admin access entries. At least one: nothing trusts the creator. */
  readonly adminRoleArns: readonly string[];
  /**
   * IAM roles given read access to everything in the cluster, Secrets included (what a
   * `terraform plan` of the monitoring stack reads: its objects and the Helm release's Secrets).
   * @default - none
   */
  readonly viewRoleArns?: readonly string[];
  /**
   * Kubernetes version.
   */
  readonly kubernetesVersion: string;
  /**
   * What AWS does when the version leaves standard support (EKS API Reference,
   * UpgradePolicyRequest: `STANDARD` upgrades the cluster then, `EXTENDED` keeps it and bills
   * extended support; the API's own default is `EXTENDED`).
   * @default 'STANDARD'
   */
  readonly upgradeSupport?: 'STANDARD' | 'EXTENDED';
  /**
   * Instance type of the managed nodes.
   */
  readonly nodeInstanceType: string;
  /**
   * Desired and minimum node count.
   */
  readonly nodeCount: number;
  /**
   * Maximum node count.
   */
  readonly nodeMaxCount: number;
  /**
   * Networks allowed to the public API endpoint.
   * @default - none: the endpoint is private only
   */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * Retention of the control-plane log group.
   */
  readonly logRetentionDays: LogRetentionDays;
  /**
   * Tags for what is launched outside Terraform (instances and volumes a node group's Auto Scaling
   * group starts): the provider's default_tags do not reach them.
   * @default - none
   */
  readonly launchTags?: Readonly<Record<string, string>>;
  /** ARN of the region's log key: the control-plane log group is encrypted with it. */
  readonly logsKeyArn: string;
  /** The AWS account (its root administers the secrets key). */
  readonly accountId: string;
  /**
   * Add-on versions. An add-on left out runs the version AWS names the default for the
   * cluster's Kubernetes version (`aws_eks_addon_version`, `most_recent = false`).
   * @default - each add-on at its default version for the cluster version
   */
  readonly addonVersions?: Partial<Record<EksAddonKey, string>>;
}

/** Refuses props the cluster cannot be built from: one sentence naming the prop. */
export function validateProps(id: string, props: KubernetesClusterProps): void {
  if (props.adminRoleArns.length === 0) {
    throw new Error(
      `KubernetesCluster ${id}: adminRoleArns is empty, expected at least one IAM role ARN (the cluster does not trust its creator).`,
    );
  }
  // EKS keeps one access entry per principal (CreateAccessEntry: ResourceInUseException).
  const both = (props.viewRoleArns ?? []).filter((arn) => props.adminRoleArns.includes(arn));
  if (both.length) {
    throw new Error(`KubernetesCluster ${id}: viewRoleArns names ${both.join(', ')}, which adminRoleArns names too; a principal has one access entry, expected it in one list.`);
  }
  checkAdmittedNetworks(`KubernetesCluster ${id}`, 'publicAccessCidrs', props.publicAccessCidrs ?? []);
}
