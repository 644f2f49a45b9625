import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { EbsVolume } from '@cdktf/provider-aws/lib/ebs-volume';
import { Ec2InstanceState } from '@cdktf/provider-aws/lib/ec2-instance-state';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VolumeAttachment } from '@cdktf/provider-aws/lib/volume-attachment';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { allowMetricsScrape } from './metrics-access';
import { checkAdmittedNetworks } from '../config/cidr';
import { AL2023_AMI_PARAMETER } from './app-tier';
import { BucketReplication } from './bucket-replication';
import type { Network } from './network';
import type { DrPostureParameter } from './dr-posture-parameter';
import type { BucketLocation } from './secure-bucket';
import { compressedUserData, gitUserData } from './user-data';
import { useKeyByAlias } from './encryption-key';
import { serviceTrust } from './trust';
import { IMDS_V2_ONLY } from './imds';
import { AWS_MANAGED_POLICY_ARNS } from './managed-policies';

/** Props of {@link GitServer}. */
export interface GitServerProps {
  /** Prefix of names and `Name` tags, unique per account and region. */
  readonly name: string;
  /** The region's network: the server lives in a private subnet. */
  readonly network: Network;
  /** Run the server (active region) or keep it stopped as the mirror (passive region). */
  readonly running: boolean;
  /** This region's backup bucket (created by the bootstrap stack). */
  readonly backupBucket: BucketLocation;
  /** The other region's backup bucket: generations (`git/`) replicate into it, and its own replicate here. */
  readonly peerBackupBucket: BucketLocation;
  /**
   * Tags for the root volume, which the instance creates outside Terraform's default_tags.
   * @default - none
   */
  readonly launchTags?: Readonly<Record<string, string>>;
  /**
   * The storage key both backup buckets are encrypted with (the same alias in each region)
   * and the account: backups are written under it and replicated under the peer's.
   */
  readonly storageKey: { readonly aliasName: string; readonly accountId: string };
  /**
   * EC2 instance type.
   */
  readonly instanceType: string;
  /**
   * Size of the encrypted repository volume, GiB.
   */
  readonly dataVolumeSizeGb: number;
  /**
   * Gitea release; the binary's signature is verified before it is installed.
   */
  readonly giteaVersion: string;
  /**
   * Minutes between two backups to the region's bucket.
   */
  readonly backupIntervalMinutes: number;
  /**
   * The region's DR position parameter: read at each start (writer or mirror, and the epoch it
   * publishes under). The instance is started or stopped only after it is written.
   */
  readonly posture: DrPostureParameter;
  /**
   * Minutes a server taking over after a switch waits for the old writer's final backup.
   */
  readonly handoverWaitMinutes: number;
  /**
   * Networks (e.g. a VPN) allowed to reach Gitea's web port; the world never is.
   * @default - none: the team reaches Gitea by SSM port forwarding
   */
  readonly allowedCidrs?: readonly string[];
  /**
   * AZ slot of the server and its volume (the volume cannot follow the server to another AZ).
   * @default 0
   */
  readonly azSlot?: number;
}

/** Where backup generations live in the backup buckets (git-data.sh's PREFIX). */
export const GIT_BACKUP_PREFIX = 'git/';

/** Port Gitea serves HTTP on. */
export const GITEA_HTTP_PORT = 3000;

/**
 * A self-hosted Gitea on EC2: repositories on a separate encrypted EBS volume that cannot be
 * destroyed, no public IP, no SSH, IMDSv2. The server publishes backup generations to its
 * region's bucket, which replicates them to the other region, and restores the newest complete
 * one before Gitea starts (git-data.sh). Whether the instance runs is `aws_ec2_instance_state`,
 * so the DR switch starts and stops it, after writing the region's DR position parameter.
 */
export class GitServer extends Construct {
  /** The EC2 instance. */
  readonly instance: Instance;
  /** ID of the instance. */
  readonly instanceId: string;
  /** The repository volume. */
  readonly dataVolume: EbsVolume;
  /** Running or stopped, from the DR posture. */
  readonly instanceState: Ec2InstanceState;
  /** Security group of the server. */
  readonly securityGroup: SecurityGroup;
  /** The server's `Name` tag (unique per region): how Prometheus discovers it. */
  readonly nameTag: string;

  constructor(scope: Construct, id: string, props: GitServerProps) {
    super(scope, id);
    const slot = props.azSlot ?? 0;
    if (!Number.isInteger(slot) || slot < 0 || slot >= props.network.privateSubnets.length) {
      throw new Error(
        `GitServer ${id}: azSlot is ${slot}, expected 0 to ${props.network.privateSubnets.length - 1} (the network's AZ slots).`,
      );
    }
    checkAdmittedNetworks(`GitServer ${id}`, 'allowedCidrs', props.allowedCidrs ?? []);
    const region = props.backupBucket.region;
    const tag = (suffix: string) => ({ Name: `${props.name}-${suffix}` });
    this.nameTag = `${props.name}-git`;

    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: `${props.name}-git`,
      description: 'Git server: no inbound but the allowed networks on the web port',
      vpcId: props.network.vpc.id,
      tags: tag('git'),
    });
    (props.allowedCidrs ?? []).forEach((cidr, index) => {
      new VpcSecurityGroupIngressRule(this, `in-allowed-${index}`, {
        securityGroupId: this.securityGroup.id,
        description: `Gitea web from ${cidr}`,
        ipProtocol: 'tcp',
        fromPort: GITEA_HTTP_PORT,
        toPort: GITEA_HTTP_PORT,
        cidrIpv4: cidr,
      });
    });
    new VpcSecurityGroupEgressRule(this, 'out-https', {
      securityGroupId: this.securityGroup.id,
      description: 'HTTPS out (SSM, S3, release download) through NAT',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });

    const role = new IamRole(this, 'role', { name: `${props.name}-git`, assumeRolePolicy: serviceTrust(this, 'assume', 'ec2.amazonaws.com') });
    new IamRolePolicyAttachment(this, 'ssm', {
      role: role.name,
      policyArn: AWS_MANAGED_POLICY_ARNS.ssmManagedInstanceCore,
    });
    const backupAccess = new DataAwsIamPolicyDocument(this, 'backup-access', {
      statement: [
        { sid: 'ListBackups', actions: ['s3:ListBucket'], resources: [props.backupBucket.bucketArn] },
        {
          sid: 'ReadAndWriteBackups',
          // Writes add generations (an existing manifest is never overwritten: If-None-Match);
          // nothing here deletes, the bucket's lifecycle expires old generations.
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [`${props.backupBucket.bucketArn}/*`],
        },
        { sid: 'ReadTheDrPosture', actions: ['ssm:GetParameter'], resources: [props.posture.parameter.arn] },
        // Backups are encrypted with the region's storage key (the bucket's default).
        useKeyByAlias('EncryptAndDecryptBackups', props.storageKey.accountId, props.storageKey.aliasName, ['kms:Decrypt', 'kms:GenerateDataKey'], [
          `s3.${region}.amazonaws.com`,
        ]),
      ],
    });
    new IamRolePolicy(this, 'backup-policy', { name: 'git-backups', role: role.id, policy: backupAccess.json });
    const profile = new IamInstanceProfile(this, 'profile', { name: `${props.name}-git`, role: role.name });

    // S3 replicates only objects written after its rule exists (S3 User Guide, "Replicating
    // existing objects"): the server, the only publisher, is created after the rule.
    const replication = new BucketReplication(this, 'backup-replication', {
      source: props.backupBucket,
      destination: props.peerBackupBucket,
      roleName: `${props.name}-git-backup-replication`,
      kms: { accountId: props.storageKey.accountId, keyAliasName: props.storageKey.aliasName },
      // Only the generations: boot artifacts are staged into both buckets (npm run stage).
      prefix: GIT_BACKUP_PREFIX,
    });

    const ami = new DataAwsSsmParameter(this, 'ami', { name: AL2023_AMI_PARAMETER });
    const dataDevice = '/dev/sdf';
    this.instance = new Instance(this, 'instance', {
      ami: ami.insecureValue,
      instanceType: props.instanceType,
      subnetId: props.network.privateSubnets[slot].id,
      vpcSecurityGroupIds: [this.securityGroup.id],
      iamInstanceProfile: profile.name,
      associatePublicIpAddress: false,
      disableApiTermination: true,
      // One-minute CloudWatch metrics: the backup job and the disk are watched closely.
      monitoring: true,
      metadataOptions: IMDS_V2_ONLY,
      rootBlockDevice: { volumeType: 'gp3', volumeSize: 20, encrypted: true, tags: { ...props.launchTags, ...tag('git-root') } },
      // Over 16 KB as text: compressed (cloud-init unpacks it).
      userDataBase64: compressedUserData(gitUserData({
        giteaVersion: props.giteaVersion,
        region,
        backupBucket: props.backupBucket.bucketName,
        backupIntervalMinutes: props.backupIntervalMinutes,
        dataDevice,
        httpPort: GITEA_HTTP_PORT,
        postureParameter: props.posture.name,
        handoverWaitMinutes: props.handoverWaitMinutes,
      })),
      tags: { ...tag('git'), Role: 'git-server' },
      // A newer AMI must not replace the server: it is patched in place.
      lifecycle: { ignoreChanges: ['ami'] },
      dependsOn: [replication.rule],
    });
    this.instanceId = this.instance.id;

    this.dataVolume = new EbsVolume(this, 'data-volume', {
      availabilityZone: props.network.availabilityZones[slot],
      size: props.dataVolumeSizeGb,
      type: 'gp3',
      encrypted: true,
      tags: { ...tag('git-data'), Role: 'git-data' },
      lifecycle: { preventDestroy: true },
    });
    new VolumeAttachment(this, 'data-attachment', {
      deviceName: dataDevice,
      volumeId: this.dataVolume.id,
      instanceId: this.instance.id,
      stopInstanceBeforeDetaching: true,
    });
    this.instanceState = new Ec2InstanceState(this, 'state', {
      instanceId: this.instance.id,
      state: props.running ? 'running' : 'stopped',
      // Started (a new writer reads its epoch) or stopped (the old writer's final backup is
      // published under the epoch it started with) only once the posture is written.
      dependsOn: [props.posture.parameter],
    });

    new TerraformOutput(this, 'instance-id', {
      value: this.instance.id,
      description: 'Instance id of the Git server (SSM port forwarding target).',
    });
  }

  /** Admits a security group (Prometheus on the EKS nodes) to node_exporter on the server: backup age. */
  allowMetricsScrapeFrom(id: string, sourceSecurityGroupId: string, description: string): void {
    allowMetricsScrape(this, id, this.securityGroup.id, sourceSecurityGroupId, description);
  }
}
