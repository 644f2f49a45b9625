import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { useKeyByAlias } from '../encryption-key';

/*
 * The statements of the scoped deploy roles' own policies, one function per scope; their
 * ceiling is the ci-deploy permissions boundary (constructs/permissions-boundary.ts). Sources:
 * IAM User Guide, "AWS: Denies access to AWS based on the requested Region" (the region fence
 * and the global services it leaves out), "AWS global condition context keys"
 * (aws:RequestedRegion; aws:ViaAWSService: a request a service makes on the caller's behalf,
 * e.g. RDS creating a cross-Region replica from its source, carries true), "Granting a user
 * permissions to pass a role to an AWS service" (iam:PassedToService) and "Permissions
 * boundaries for IAM entities" (iam:PermissionsBoundary); Route 53 Developer Guide, "Using IAM
 * policy conditions for fine-grained access control" (the ChangeResourceRecordSets keys);
 * Terraform's S3 backend docs ("Permissions Required"); KMS Developer Guide, "How Amazon
 * DynamoDB uses AWS KMS" (DynamoDB uses a customer managed key with the caller's permissions;
 * the same failure: ministryofjustice/modernisation-platform#5630).
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

/** Role actions that change what a role may do: only on a role that carries the workload boundary (and keeps it). */
export const BOUNDED_ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
] as const;

/** Role and instance profile actions that grant nothing by themselves (the role's own names only). */
export const ROLE_UPKEEP_ACTIONS = [
  'iam:DeleteRole',
  'iam:GetRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:ListRoleTags',
  'iam:GetRolePolicy',
  'iam:ListRolePolicies',
  'iam:ListAttachedRolePolicies',
  'iam:ListInstanceProfilesForRole',
  'iam:CreateInstanceProfile',
  'iam:DeleteInstanceProfile',
  'iam:GetInstanceProfile',
  'iam:AddRoleToInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
  'iam:TagInstanceProfile',
  'iam:UntagInstanceProfile',
] as const;

/** The services the estate passes its roles to: EC2 (instance profiles, launch templates), EKS, RDS monitoring, VPC flow logs, S3 replication. */
export const PASSED_TO_SERVICES = ['ec2.amazonaws.com', 'eks.amazonaws.com', 'monitoring.rds.amazonaws.com', 'rds.amazonaws.com', 'vpc-flow-logs.amazonaws.com', 's3.amazonaws.com'] as const;

/** Route 53 actions that change something, beside ChangeResourceRecordSets: only the DNS role's. */
export const ROUTE53_WRITE_ACTIONS = [
  'route53:Create*',
  'route53:Delete*',
  'route53:Update*',
  'route53:Associate*',
  'route53:Disassociate*',
  'route53:ChangeTagsForResource',
  'route53:ChangeCidrCollection',
  'route53:Enable*',
  'route53:Disable*',
  'route53:Activate*',
  'route53:Deactivate*',
] as const;

/** Props of {@link regionalDeployStatements}. */
export interface RegionalDeployScope {
  readonly accountId: string;
  readonly region: string;
  /** IAM name patterns the role may create and change (`config/naming.ts regionalIamNamePatterns`). */
  readonly iamNamePatterns: readonly string[];
  /** ARN of the boundary every role it creates must carry. */
  readonly workloadBoundaryArn: string;
  /** The AWS managed policies the region's stacks attach (nothing else may be attached). */
  readonly attachablePolicyArns: readonly string[];
  /** The hosted zone: the role writes only ACM validation records (`_*.<zone>`, CNAME) in it. */
  readonly zoneName: string;
}

/**
 * A regional deploy role's own statements, beside AWS's PowerUserAccess: roles only under its
 * region's names and only with the workload boundary, only the listed managed policies, passed
 * only to the estate's services; in Route 53 only certificate validation records; nothing
 * outside its region but global services and what AWS services do on its behalf.
 */
export function regionalDeployStatements(scope: RegionalDeployScope): DataAwsIamPolicyDocumentStatement[] {
  const arns = (kind: string) => scope.iamNamePatterns.map((name) => `arn:aws:iam::${scope.accountId}:${kind}/${name}`);
  const bounded = { test: 'StringEquals', variable: 'iam:PermissionsBoundary', values: [scope.workloadBoundaryArn] };
  const validation = `_*.${scope.zoneName.replace(/\.$/, '').toLowerCase()}`;
  return [
    { sid: 'ItsRolesOnlyWithTheWorkloadBoundary', actions: BOUNDED_ROLE_ACTIONS.filter((a) => a !== 'iam:AttachRolePolicy'), resources: arns('role'), condition: [bounded] },
    {
      sid: 'AttachOnlyTheEstatesManagedPolicies',
      actions: ['iam:AttachRolePolicy'],
      resources: arns('role'),
      condition: [bounded, { test: 'ArnEquals', variable: 'iam:PolicyARN', values: [...scope.attachablePolicyArns] }],
    },
    { sid: 'UpkeepOfItsRolesAndProfiles', actions: [...ROLE_UPKEEP_ACTIONS], resources: [...arns('role'), ...arns('instance-profile')] },
    {
      sid: 'PassItsRolesToTheEstatesServices',
      actions: ['iam:PassRole'],
      resources: arns('role'),
      condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: [...PASSED_TO_SERVICES] }],
    },
    { sid: 'ReadAwsManagedPolicies', actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'], resources: ['arn:aws:iam::aws:policy/*'] },
    { sid: 'ServiceLinkedRoles', actions: ['iam:CreateServiceLinkedRole'], resources: [`arn:aws:iam::${scope.accountId}:role/aws-service-role/*`] },
    { sid: 'NoRoute53ChangesButRecords', effect: 'Deny', actions: [...ROUTE53_WRITE_ACTIONS], resources: ['*'] },
    {
      sid: 'OnlyCertificateValidationRecordNames',
      effect: 'Deny',
      actions: ['route53:ChangeResourceRecordSets'],
      resources: ['*'],
      condition: [{ test: 'ForAnyValue:StringNotLike', variable: 'route53:ChangeResourceRecordSetsNormalizedRecordNames', values: [validation] }],
    },
    {
      sid: 'OnlyCertificateValidationRecordTypes',
      effect: 'Deny',
      actions: ['route53:ChangeResourceRecordSets'],
      resources: ['*'],
      condition: [{ test: 'ForAnyValue:StringNotEquals', variable: 'route53:ChangeResourceRecordSetsRecordTypes', values: ['CNAME'] }],
    },
    {
      sid: 'OnlyItsRegion',
      effect: 'Deny',
      notActions: [...GLOBAL_SERVICE_ACTIONS],
      resources: ['*'],
      condition: [
        { test: 'StringNotEquals', variable: 'aws:RequestedRegion', values: [scope.region] },
        // A call an AWS service makes for the role (RDS reaching a replica's source) is not fenced.
        { test: 'Bool', variable: 'aws:ViaAWSService', values: ['false'] },
      ],
    },
  ];
}

/** What the DNS stack does in Route 53: its failover records and their health checks (and reading the zone). */
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

/** Where the DNS stack keeps its state: the DNS deploy role may write there and nowhere else. */
export interface DnsStateLocation {
  readonly region: string;
  readonly bucket: string;
  /** The DNS stack's state key (its lock file is `<key>.tflock`). */
  readonly key: string;
  readonly lockTable: string;
}

/**
 * The DNS deploy role's whole policy: Route 53, reading the state bucket (the DNS stack reads the
 * regional and monitoring stacks' states from it), writing its own state and lock, under the
 * storage key through S3 and through DynamoDB (whose lock table is under the same key), all in
 * the DR region.
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
    // DynamoDB decrypts the lock table's key with the caller's permissions, on reads and writes alike.
    useKeyByAlias('TheLockTableUnderTheStorageKey', props.accountId, props.storageKeyAlias, ['kms:Decrypt'], [`dynamodb.${region}.amazonaws.com`]),
  ];
}
