import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import type { Construct } from 'constructs';
import { fitName } from '../../config/naming';
import { useKeyByAlias } from '../encryption-key';
import { IMDS_V2_ONLY } from '../imds';
import { serviceTrust } from '../trust';
import { appUserData, ARTIFACTS_PREFIX } from '../user-data';
import { AL2023_AMI_PARAMETER, type AppTierProps } from './props';
import { AWS_MANAGED_POLICY_ARNS } from '../managed-policies';

const SSM_CORE_POLICY = AWS_MANAGED_POLICY_ARNS.ssmManagedInstanceCore;

/** What the app servers' launch template takes from the app tier. */
export interface AppServerSettings {
  readonly appPort: number;
  readonly healthCheckPath: string;
  /** The app servers' security group. */
  readonly securityGroupId: string;
  /** Tags of every server and its volume. */
  readonly instanceTags: Readonly<Record<string, string>>;
  /** Tags of the template itself. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The app servers' launch template, with their instance role: SSM, and what the app reads at
 * run time (boot artifacts, its database's endpoint and credentials). The boot script is the
 * reference app (constructs/user-data).
 */
export function appLaunchTemplate(scope: Construct, props: AppTierProps, settings: AppServerSettings): LaunchTemplate {
  const role = new IamRole(scope, 'instance-role', {
    name: fitName(`${props.name}-app`, 64),
    assumeRolePolicy: serviceTrust(scope, 'instance-assume', 'ec2.amazonaws.com'),
  });
  new IamRolePolicyAttachment(scope, 'instance-ssm', { role: role.name, policyArn: SSM_CORE_POLICY });
  // What the app servers read at run time: boot artifacts, their database's endpoint, its credentials.
  const runtime = new DataAwsIamPolicyDocument(scope, 'instance-runtime', {
    statement: [
      {
        sid: 'ReadBootArtifacts',
        actions: ['s3:GetObject'],
        resources: [`${props.artifactBucket.bucketArn}/${ARTIFACTS_PREFIX}/*`],
      },
      {
        sid: 'FindTheDatabase',
        actions: ['rds:DescribeDBInstances'],
        resources: [`arn:aws:rds:${props.region}:${props.database.accountId}:db:${props.database.identifier}`],
      },
      {
        sid: 'ReadTheDatabaseCredentials',
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager appends 6 random characters to a secret's ARN.
        resources: [`arn:aws:secretsmanager:${props.region}:${props.database.accountId}:secret:${props.database.secretId}-??????`],
      },
      useKeyByAlias('DecryptArtifactsAndCredentials', props.database.accountId, props.storageKeyAlias, ['kms:Decrypt'], [
        `s3.${props.region}.amazonaws.com`,
        `secretsmanager.${props.region}.amazonaws.com`,
      ]),
    ],
  });
  new IamRolePolicy(scope, 'instance-runtime-policy', { name: 'app-runtime', role: role.id, policy: runtime.json });
  const profile = new IamInstanceProfile(scope, 'instance-profile', {
    name: fitName(`${props.name}-app`, 128),
    role: role.name,
  });

  return new LaunchTemplate(scope, 'launch-template', {
    name: `${props.name}-app`,
    description: 'App servers',
    // EC2 resolves the parameter at each launch: no AMI id is written anywhere.
    imageId: `resolve:ssm:${AL2023_AMI_PARAMETER}`,
    instanceType: props.instanceType,
    vpcSecurityGroupIds: [settings.securityGroupId],
    iamInstanceProfile: { arn: profile.arn },
    metadataOptions: { ...IMDS_V2_ONLY, instanceMetadataTags: 'disabled' },
    blockDeviceMappings: [
      {
        deviceName: '/dev/xvda',
        ebs: { volumeType: 'gp3', volumeSize: 8, encrypted: 'true', deleteOnTermination: 'true' },
      },
    ],
    monitoring: { enabled: true },
    // Encoded here, not with Terraform's base64encode(): the script is a plain literal.
    userData: Buffer.from(
      appUserData({
        appPort: settings.appPort,
        healthCheckPath: settings.healthCheckPath,
        region: props.region,
        artifactBucket: props.artifactBucket.bucketName,
        database: props.database,
      }),
    ).toString('base64'),
    tagSpecifications: [
      { resourceType: 'instance', tags: settings.instanceTags },
      { resourceType: 'volume', tags: settings.instanceTags },
    ],
    updateDefaultVersion: true,
    tags: settings.tags,
  });
}
