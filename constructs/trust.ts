import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { Construct } from 'constructs';

/**
 * The trust policy of a role only an AWS service assumes (a `data.aws_iam_policy_document`
 * with id `id` in `scope`), as JSON for `assume_role_policy`.
 */
export function serviceTrust(scope: Construct, id: string, service: string, actions: readonly string[] = ['sts:AssumeRole']): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [{ actions: [...actions], principals: [{ type: 'Service', identifiers: [service] }] }],
  }).json;
}

/** Trust policy letting EKS Pod Identity hand a role's credentials to pods (it tags the session). */
export function podIdentityTrust(scope: Construct, id: string): string {
  return serviceTrust(scope, id, 'pods.eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']);
}
