import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { useKeyByAlias } from '../encryption-key';

/*
 * The statements of the CI roles' policies, one function per scope. Sources: IAM User Guide,
 * "AWS: Denies access to AWS based on the requested Region" (the region fence and the global
 * services it leaves out) and "AWS global condition context keys" (aws:RequestedRegion,
 * aws:ViaAWSService: a request a service makes on the caller's behalf, e.g. RDS creating a
 * cross-Region replica from its source, carries true); Terraform's S3 backend docs
 * ("Permissions Required": s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject on the state
 * and lock file keys; dynamodb:GetItem, PutItem, DeleteItem on the lock table).
 */

/** Services with no region (or one fixed region): left out of a region fence. */
export const GLOBAL_SERVICE_ACTIONS = [
  'iam:*',
  'sts:*',
  'route53:*',
  'route53domains:*',
  'organizations:*',
  'account:*',
  'support:*',
  'health:*',
  'budgets:*',
  'ce:*',
  'pricing:*',
  'cloudfront:*',
] as const;

/** What a deploy does to the estate's own roles, instance profiles and policies (and nothing more). */
export const ESTATE_IAM_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:GetRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:ListRoleTags',
  'iam:PutRolePolicy',
  'iam:GetRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:ListRolePolicies',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListInstanceProfilesForRole',
  'iam:PassRole',
  'iam:CreateInstanceProfile',
  'iam:DeleteInstanceProfile',
  'iam:GetInstanceProfile',
  'iam:AddRoleToInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
  'iam:TagInstanceProfile',
  'iam:UntagInstanceProfile',
  'iam:CreatePolicy',
  'iam:DeletePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:ListPolicyVersions',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicyVersion',
  'iam:TagPolicy',
  'iam:UntagPolicy',
] as const;

/** What reading an IAM role takes (a deploy reads the CI roles it must never change). */
const READ_ROLE_ACTIONS = ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListRoleTags'];

/**
 * A regional deploy role's own statements, beside AWS's PowerUserAccess: the estate's IAM names
 * only, never the CI roles or OIDC providers, and nothing outside its region but global services
 * and what AWS services do on its behalf.
 */
export function regionalDeployStatements(props: {
  readonly accountId: string;
  readonly namePrefix: string;
  readonly region: string;
  readonly ciRoleArns: readonly string[];
}): DataAwsIamPolicyDocumentStatement[] {
  const iam = (kind: string) => `arn:aws:iam::${props.accountId}:${kind}/${props.namePrefix}-*`;
  return [
    { sid: 'TheEstatesOwnIamNames', actions: [...ESTATE_IAM_ACTIONS], resources: [iam('role'), iam('instance-profile'), iam('policy')] },
    { sid: 'ReadAwsManagedPolicies', actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'], resources: ['arn:aws:iam::aws:policy/*'] },
    { sid: 'ServiceLinkedRoles', actions: ['iam:CreateServiceLinkedRole'], resources: [`arn:aws:iam::${props.accountId}:role/aws-service-role/*`] },
    {
      sid: 'NeverTheCiAccessItself',
      effect: 'Deny',
      notActions: READ_ROLE_ACTIONS,
      resources: [...props.ciRoleArns, `arn:aws:iam::${props.accountId}:oidc-provider/*`],
    },
    {
      sid: 'OnlyItsRegion',
      effect: 'Deny',
      notActions: [...GLOBAL_SERVICE_ACTIONS],
      resources: ['*'],
      condition: [
        { test: 'StringNotEquals', variable: 'aws:RequestedRegion', values: [props.region] },
        // A call an AWS service makes for the role (RDS reaching a replica's source) is not fenced.
        { test: 'Bool', variable: 'aws:ViaAWSService', values: ['false'] },
      ],
    },
  ];
}

/** What the DR stack does in Route 53: its failover records and their health checks (and reading the zone). */
const ROUTE53_ON_RESOURCES = [
  'route53:ChangeResourceRecordSets',
  'route53:ListResourceRecordSets',
  'route53:GetHostedZone',
  'route53:GetChange',
  'route53:GetHealthCheck',
  'route53:GetHealthCheckStatus',
  'route53:GetHealthCheckLastFailureReason',
  'route53:UpdateHealthCheck',
  'route53:DeleteHealthCheck',
  'route53:ChangeTagsForResource',
  'route53:ListTagsForResource',
  'route53:ListTagsForResources',
] as const;

/**
 * Route 53 actions with no resource type (Service Authorization Reference, "Actions defined by
 * Amazon Route 53": no resource type listed, so only `*` can name them).
 */
export const ROUTE53_WITHOUT_RESOURCE_TYPES = [
  'route53:CreateHealthCheck',
  'route53:ListHostedZones',
  'route53:ListHostedZonesByName',
  'route53:ListHealthChecks',
  'route53:GetHostedZoneCount',
  'route53:GetHealthCheckCount',
] as const;

/** Where the DR stack keeps its state: the DNS deploy role may write there and nowhere else. */
export interface DnsStateLocation {
  readonly region: string;
  readonly bucket: string;
  /** The DR stack's state key (its lock file is `<key>.tflock`). */
  readonly key: string;
  readonly lockTable: string;
}

/**
 * The DNS deploy role's whole policy: Route 53, reading the state bucket (the DR stack reads the
 * regional and monitoring stacks' states from it), writing its own state and lock, under the
 * storage key, all in the DR region.
 */
export function dnsDeployStatements(props: { readonly accountId: string; readonly storageKeyAlias: string; readonly state: DnsStateLocation }): DataAwsIamPolicyDocumentStatement[] {
  const { bucket, key, region, lockTable } = props.state;
  return [
    {
      sid: 'RecordsAndHealthChecks',
      actions: [...ROUTE53_ON_RESOURCES],
      resources: ['arn:aws:route53:::hostedzone/*', 'arn:aws:route53:::healthcheck/*', 'arn:aws:route53:::change/*'],
    },
    { sid: 'Route53WithoutResourceTypes', actions: [...ROUTE53_WITHOUT_RESOURCE_TYPES], resources: ['*'] },
    { sid: 'ListTheStateBucket', actions: ['s3:ListBucket'], resources: [`arn:aws:s3:::${bucket}`] },
    { sid: 'ReadTheStates', actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${bucket}/*`] },
    { sid: 'WriteItsOwnStateAndLock', actions: ['s3:PutObject', 's3:DeleteObject'], resources: [`arn:aws:s3:::${bucket}/${key}`, `arn:aws:s3:::${bucket}/${key}.tflock`] },
    {
      sid: 'TheLockTable',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [`arn:aws:dynamodb:${region}:${props.accountId}:table/${lockTable}`],
    },
    useKeyByAlias('StateUnderTheStorageKey', props.accountId, props.storageKeyAlias, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], [`s3.${region}.amazonaws.com`]),
  ];
}
