/**
 * The AWS managed policies the estate attaches to the roles it creates, each named once: the
 * constructs attach them, and the regional deploy roles may attach these and nothing else.
 */
export const AWS_MANAGED_POLICY_ARNS = {
  ssmManagedInstanceCore: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  eksCluster: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
  eksWorkerNode: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  eksCni: 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  ecrReadOnly: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  ebsCsiDriver: 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
  rdsEnhancedMonitoring: 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
} as const;
