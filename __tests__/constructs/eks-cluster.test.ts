import { TerraformStack, Testing } from 'cdktf';
import { KubernetesCluster } from '../../constructs/eks-cluster';
import { Network } from '../../constructs/network';
import { committedInput, dataSource, resource, resourcesOf, synthEstate, withInput, PROPS_AT_CONFIG_DEFAULTS } from '../helpers';

const normal = synthEstate();
const publicApi = synthEstate(
  withInput({
    eks: {
      adminRoleArns: ['arn:aws:iam::111122223333:role/estate-admin', 'arn:aws:iam::111122223333:role/ci-deploy'],
      publicAccessCidrs: ['203.0.113.0/24'],
      addonVersions: { coredns: 'v1.12.1-eksbuild.2' },
    },
  }),
);

describe.each(['regional-us-east-2', 'regional-us-west-1'])('EKS cluster of %s', (name) => {
  const stack = normal.byName[name];
  const region = name.replace('regional-', '');
  const cluster = resource(stack, 'aws_eks_cluster', 'eks_cluster');

  test('runs Kubernetes 1.35 in the private subnets', () => {
    expect(cluster.name).toBe(`dr-estate-prod-${region}`);
    expect(cluster.version).toBe('1.35');
    expect(cluster.vpc_config.subnet_ids).toEqual(
      Object.keys(resourcesOf(stack, 'aws_subnet'))
        .filter((id) => id.startsWith('network_private_'))
        .sort()
        .map((id) => `\${aws_subnet.${id}.id}`),
    );
  });

  test('the API endpoint is private only by default', () => {
    expect(cluster.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: false });
    expect(cluster.vpc_config.public_access_cidrs).toBeUndefined();
  });

  test('every control-plane log type is on, into a log group with a retention created first', () => {
    expect(cluster.enabled_cluster_log_types).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    expect(resource(stack, 'aws_cloudwatch_log_group', 'eks_control_plane_logs')).toMatchObject({
      name: `/aws/eks/dr-estate-prod-${region}/cluster`,
      retention_in_days: 365,
      kms_key_id: '${aws_kms_key.logs_key_key.arn}',
    });
    expect(cluster.depends_on).toContain('aws_cloudwatch_log_group.eks_control_plane_logs');
  });

  test('secrets are encrypted with the cluster\'s own rotating KMS key', () => {
    expect(cluster.encryption_config).toEqual({
      resources: ['secrets'],
      provider: { key_arn: '${aws_kms_key.eks_secrets_key.arn}' },
    });
    expect(resource(stack, 'aws_kms_key', 'eks_secrets_key').enable_key_rotation).toBe(true);
  });

  test('access is by access entries only: the creator gets nothing, the configured role is cluster admin', () => {
    expect(cluster.access_config).toEqual({
      authentication_mode: 'API',
      bootstrap_cluster_creator_admin_permissions: false,
    });
    expect(resource(stack, 'aws_eks_access_entry', 'eks_admin_0')).toMatchObject({
      cluster_name: '${aws_eks_cluster.eks_cluster.name}',
      principal_arn: 'arn:aws:iam::111122223333:role/estate-admin',
      type: 'STANDARD',
    });
    expect(resource(stack, 'aws_eks_access_policy_association', 'eks_admin_0_policy')).toMatchObject({
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    });
  });

  test('two t3.medium nodes (minimum 2, maximum 3), one node group per AZ, launched with IMDSv2 and encrypted disks', () => {
    const groups = Object.values(resourcesOf(stack, 'aws_eks_node_group')) as Record<string, any>[];
    // One group per AZ: a replaced node comes back in its group's AZ, beside its EBS volumes.
    expect(groups.map((g) => g.subnet_ids)).toEqual([['${aws_subnet.network_private_0.id}'], ['${aws_subnet.network_private_1.id}']]);
    expect(groups.map((g) => g.scaling_config)).toEqual([
      { desired_size: 1, min_size: 1, max_size: 2 },
      { desired_size: 1, min_size: 1, max_size: 1 },
    ]);
    for (const nodes of groups) {
      expect(nodes).toMatchObject({
        instance_types: ['t3.medium'],
        ami_type: 'AL2023_x86_64_STANDARD',
        launch_template: { id: '${aws_launch_template.eks_node_template.id}' },
      });
      expect(cluster.vpc_config.subnet_ids).toEqual(expect.arrayContaining(nodes.subnet_ids));
    }
    expect(stack.json.output?.eks_node_availability_zones.value).toBe(
      '${join(",", [aws_subnet.network_private_0.availability_zone, aws_subnet.network_private_1.availability_zone])}',
    );
    expect(resource(stack, 'aws_launch_template', 'eks_node_template')).toMatchObject({
      metadata_options: { http_tokens: 'required', http_endpoint: 'enabled' },
      block_device_mappings: [{ ebs: { encrypted: 'true', volume_type: 'gp3' } }],
    });
  });

  test('core add-ons: VPC CNI, CoreDNS, kube-proxy, Pod Identity agent, EBS CSI driver', () => {
    const addons = Object.values(resourcesOf(stack, 'aws_eks_addon')) as Record<string, any>[];
    expect(addons.map((a) => a.addon_name).sort()).toEqual([
      'aws-ebs-csi-driver',
      'coredns',
      'eks-pod-identity-agent',
      'kube-proxy',
      'vpc-cni',
    ]);
    for (const addon of addons) {
      const lookup = `eks_${addon.addon_name.replace(/-/g, '_')}_default_version`;
      expect(addon.addon_version).toBe(`\${data.aws_eks_addon_version.${lookup}.version}`);
      expect(dataSource(stack, 'aws_eks_addon_version', lookup)).toMatchObject({
        addon_name: addon.addon_name,
        kubernetes_version: '1.35',
        most_recent: false,
      });
    }
  });

  test('the EBS CSI driver gets its AWS permissions through Pod Identity', () => {
    const ebsCsi = resource(stack, 'aws_eks_addon', 'eks_addon_aws_ebs_csi_driver');
    expect(ebsCsi.pod_identity_association).toEqual([
      { role_arn: '${aws_iam_role.eks_ebs_csi_role.arn}', service_account: 'ebs-csi-controller-sa' },
    ]);
    expect(ebsCsi.depends_on).toEqual(['aws_eks_node_group.eks_nodes_0', 'aws_eks_node_group.eks_nodes_1', 'aws_eks_addon.eks_addon_eks_pod_identity_agent']);
    expect(dataSource(stack, 'aws_iam_policy_document', 'eks_ebs_csi_trust').statement[0]).toMatchObject({
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      principals: [{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }],
    });
  });

  test('the EKS nodes may scrape node_exporter (9100) on the app servers', () => {
    expect(resource(stack, 'aws_vpc_security_group_ingress_rule', 'app_metrics_from_eks')).toMatchObject({
      security_group_id: '${aws_security_group.app_instance_sg.id}',
      from_port: 9100,
      to_port: 9100,
      ip_protocol: 'tcp',
      referenced_security_group_id: '${aws_eks_cluster.eks_cluster.vpc_config[0].cluster_security_group_id}',
    });
  });
});

describe('EKS options', () => {
  const stack = publicApi.byName['regional-us-east-2'];

  test('a public endpoint only for the configured networks', () => {
    expect(resource(stack, 'aws_eks_cluster', 'eks_cluster').vpc_config).toMatchObject({
      endpoint_public_access: true,
      public_access_cidrs: ['203.0.113.0/24'],
    });
  });

  test('one access entry per admin role and one for CI\'s deploy role of the region (admin), one for CI\'s plan role (view)', () => {
    expect(Object.keys(resourcesOf(stack, 'aws_eks_access_entry')).sort()).toEqual(['eks_admin_0', 'eks_admin_1', 'eks_admin_2', 'eks_view_0']);
    expect(resource(stack, 'aws_eks_access_entry', 'eks_admin_1').principal_arn).toBe('arn:aws:iam::111122223333:role/ci-deploy');
    expect(resource(stack, 'aws_eks_access_entry', 'eks_admin_2').principal_arn).toBe('arn:aws:iam::111122223333:role/dr-estate-prod-ci-deploy-us-east-2');
    expect(resource(stack, 'aws_eks_access_entry', 'eks_view_0').principal_arn).toBe('arn:aws:iam::111122223333:role/dr-estate-prod-ci-plan');
    expect(resource(stack, 'aws_eks_access_policy_association', 'eks_view_0_policy')).toMatchObject({
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy',
      access_scope: { type: 'cluster' },
    });
  });

  test('fails if a role is named for both admin and view access (EKS keeps one access entry per principal)', () => {
    const both = 'arn:aws:iam::111122223333:role/dr-estate-prod-ci-plan';
    expect(() => synthEstate(withInput({ eks: { ...committedInput.eks, adminRoleArns: [both] } }))).toThrow(
      /viewRoleArns names arn:aws:iam::111122223333:role\/dr-estate-prod-ci-plan, which adminRoleArns names too/,
    );
  });

  test('a pinned add-on version replaces the default lookup', () => {
    expect(resource(stack, 'aws_eks_addon', 'eks_addon_coredns').addon_version).toBe('v1.12.1-eksbuild.2');
    expect(stack.json.data?.aws_eks_addon_version?.eks_coredns_default_version).toBeUndefined();
  });
});

describe('KubernetesCluster props validation', () => {
  const build = (patch: object) => () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const network = new Network(stack, 'network', { name: 'n', region: 'us-east-2', cidrBlock: '10.0.0.0/16', azCount: 2 });
    new KubernetesCluster(stack, 'eks', { name: 'n', network, adminRoleArns: ['arn:aws:iam::111122223333:role/a'], accountId: '111122223333', logsKeyArn: 'arn:aws:kms:us-east-2:111122223333:key/logs', ...PROPS_AT_CONFIG_DEFAULTS.eks, ...patch });
  };

  test('fails if no admin role is given', () => {
    expect(build({ adminRoleArns: [] })).toThrow(
      'KubernetesCluster eks: adminRoleArns is empty, expected at least one IAM role ARN (the cluster does not trust its creator).',
    );
  });

  test('fails if the public endpoint would be open to the world', () => {
    expect(build({ publicAccessCidrs: ['0.0.0.0/0'] })).toThrow(
      'KubernetesCluster eks: publicAccessCidrs has "0.0.0.0/0", expected IPv4 networks of /8 or smaller (never the world).',
    );
  });
});
