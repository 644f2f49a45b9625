import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { BucketLocation } from './secure-bucket';
import { serviceTrust } from './trust';

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
  /**
   * The buckets encrypt with SSE-KMS under customer managed keys that carry this alias in each
   * bucket's region: objects are decrypted with the source key and replicas encrypted with
   * the destination's (S3 replicates SSE-KMS objects only when the rule opts in and names the
   * replica key).
   * @default - SSE-S3 buckets, no KMS permissions
   */
  readonly kms?: { readonly accountId: string; readonly keyAliasName: string };
  /**
   * Replicate only the objects whose key starts with this (e.g. `git/`).
   * @default '' (every object)
   */
  readonly prefix?: string;
}

/**
 * Replicates every object (or those under a prefix) and delete marker of a bucket into a bucket in another region,
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
    this.role = new IamRole(this, 'role', { name: props.roleName, assumeRolePolicy: serviceTrust(this, 'assume', 's3.amazonaws.com') });
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
        ...(props.kms ? replicationKeyStatements(props.kms, source, destination) : []),
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
          filter: { prefix: props.prefix ?? '' },
          deleteMarkerReplication: { status: 'Enabled' },
          destination: {
            bucket: destination.bucketArn,
            storageClass: 'STANDARD',
            ...(props.kms
              ? { encryptionConfiguration: { replicaKmsKeyId: keyAliasArn(props.kms, destination.region) } }
              : {}),
          },
          ...(props.kms ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } } } : {}),
        },
      ],
      dependsOn: props.dependsOn,
    });
  }
}

/** The alias ARN of the key in a region (S3 accepts a key or alias ARN as the replica key). */
function keyAliasArn(kms: { accountId: string; keyAliasName: string }, region: string): string {
  return `arn:aws:kms:${region}:${kms.accountId}:${kms.keyAliasName}`;
}

/**
 * KMS permissions of a replication role (S3 User Guide, "Replicating objects created with
 * server-side encryption (SSE-C, SSE-S3, SSE-KMS, DSSE-KMS)"): decrypt with the source key and
 * encrypt with the destination key, each only through S3 in its region and only for its
 * bucket (the encryption context is the object ARN, or the bucket ARN with an S3 Bucket Key).
 */
function replicationKeyStatements(
  kms: { accountId: string; keyAliasName: string },
  source: BucketLocation,
  destination: BucketLocation,
): DataAwsIamPolicyDocumentStatement[] {
  const statement = (sid: string, actions: string[], bucket: BucketLocation): DataAwsIamPolicyDocumentStatement => ({
    sid,
    actions,
    resources: [`arn:aws:kms:${bucket.region}:${kms.accountId}:key/*`],
    condition: [
      { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: [kms.keyAliasName] },
      { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${bucket.region}.amazonaws.com`] },
      { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: [bucket.bucketArn, `${bucket.bucketArn}/*`] },
    ],
  });
  return [
    statement('DecryptSourceObjects', ['kms:Decrypt'], source),
    statement('EncryptReplicas', ['kms:Encrypt', 'kms:GenerateDataKey'], destination),
  ];
}
