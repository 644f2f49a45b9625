import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { BucketLocation } from './secure-bucket';

/** Props of {@link BucketReplication}. */
export interface BucketReplicationProps {
  /** The bucket replicated from; its provider is the scope's. */
  readonly source: BucketLocation;
  /**
   * The source bucket's name as Terraform should read it: pass the bucket resource's `id`
   * when it is in the same stack, so the rule waits for it.
   * @default source.bucketName
   */
  readonly sourceBucketReference?: string;
  /** The bucket replicated into (another region, versioned, already existing). */
  readonly destination: BucketLocation;
  /** Name of the IAM role S3 assumes (IAM names are account-wide, at most 64 characters). */
  readonly roleName: string;
  /**
   * What must exist before the rule: S3 rejects a rule until the source is versioned.
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Replicates every object and delete marker of a bucket into a bucket in another region,
 * with a role that may read only the source and write only into the destination.
 */
export class BucketReplication extends Construct {
  /** The replication rule. */
  readonly rule: S3BucketReplicationConfigurationA;
  /** The role S3 assumes to replicate. */
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: BucketReplicationProps) {
    super(scope, id);
    const { source, destination } = props;
    if (destination.region === source.region) {
      throw new Error(
        `BucketReplication ${id}: destination.region is "${destination.region}", expected a region other than the source bucket's ("${source.region}").`,
      );
    }
    if (props.roleName.length > 64) {
      throw new Error(
        `BucketReplication ${id}: roleName is "${props.roleName}", expected at most 64 characters (IAM's limit).`,
      );
    }
    const assume = new DataAwsIamPolicyDocument(this, 'assume', {
      statement: [
        {
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }],
        },
      ],
    });
    this.role = new IamRole(this, 'role', { name: props.roleName, assumeRolePolicy: assume.json });
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        {
          sid: 'ReadSourceConfiguration',
          actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
          resources: [source.bucketArn],
        },
        {
          sid: 'ReadSourceVersions',
          actions: [
            's3:GetObjectVersionForReplication',
            's3:GetObjectVersionAcl',
            's3:GetObjectVersionTagging',
          ],
          resources: [`${source.bucketArn}/*`],
        },
        {
          sid: 'WriteReplicas',
          actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
          resources: [`${destination.bucketArn}/*`],
        },
      ],
    });
    new IamRolePolicy(this, 'policy', { name: 'replicate', role: this.role.id, policy: permissions.json });
    // `Default`: the rule takes the construct's own address (`<scope>_<id>`).
    this.rule = new S3BucketReplicationConfigurationA(this, 'Default', {
      bucket: props.sourceBucketReference ?? source.bucketName,
      role: this.role.arn,
      rule: [
        {
          id: `to-${destination.region}`,
          status: 'Enabled',
          // A filter selects the V2 rule schema, which is what allows delete-marker replication.
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Enabled' },
          destination: { bucket: destination.bucketArn, storageClass: 'STANDARD' },
        },
      ],
      dependsOn: props.dependsOn,
    });
  }
}
