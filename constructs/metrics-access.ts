import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { Construct } from 'constructs';
import { NODE_EXPORTER } from './user-data';

/**
 * Admits a security group (Prometheus on the EKS nodes) to a metrics port on the instances of
 * another: node_exporter's by default.
 */
export function allowMetricsScrape(
  scope: Construct,
  id: string,
  targetSecurityGroupId: string,
  sourceSecurityGroupId: string,
  description: string,
  port: number = NODE_EXPORTER.port,
): VpcSecurityGroupIngressRule {
  return new VpcSecurityGroupIngressRule(scope, id, {
    securityGroupId: targetSecurityGroupId,
    description,
    ipProtocol: 'tcp',
    fromPort: port,
    toPort: port,
    referencedSecurityGroupId: sourceSecurityGroupId,
  });
}
