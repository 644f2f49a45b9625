import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { Construct } from 'constructs';
import { NODE_EXPORTER } from './user-data';

/** Admits a security group (Prometheus on the EKS nodes) to node_exporter on the instances of another. */
export function allowNodeExporterScrape(
  scope: Construct,
  id: string,
  targetSecurityGroupId: string,
  sourceSecurityGroupId: string,
  description: string,
): VpcSecurityGroupIngressRule {
  return new VpcSecurityGroupIngressRule(scope, id, {
    securityGroupId: targetSecurityGroupId,
    description,
    ipProtocol: 'tcp',
    fromPort: NODE_EXPORTER.port,
    toPort: NODE_EXPORTER.port,
    referencedSecurityGroupId: sourceSecurityGroupId,
  });
}
