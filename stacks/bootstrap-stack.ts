import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import {
  accessLogBucketName,
  boundaryPolicyName,
  ciRoleArnPattern,
  ciRoleName,
  databaseSecretName,
  drPostureParameterName,
  DNS_STACK_NAME,
  gitBackupBucketName,
  grafanaAdminSecretName,
  lockTableName,
  namePrefix,
  regionalIamNamePatterns,
  stateBucketName,
  stateKey,
  storageKeyAlias,
} from '../config/naming';
import { AccessLogBucket } from '../constructs/access-log-bucket';
import { CiAccess } from '../constructs/ci-access';
import { EncryptionKey } from '../constructs/encryption-key';
import { GIT_BACKUP_PREFIX } from '../constructs/git-server';
import { AWS_MANAGED_POLICY_ARNS } from '../constructs/managed-policies';
import { BoundaryPolicy, workloadBoundaryStatements } from '../constructs/permissions-boundary';
import { SecureBucket, type BucketLocation } from '../constructs/secure-bucket';
import { StateBackend } from '../constructs/state-backend';
import { EstateStack, type EstateStackProps } from './estate-stack';

/** Props of {@link BootstrapStack}. */
export interface BootstrapStackProps extends EstateStackProps {
  /**
   * The other region's state bucket, to replicate this region's state to.
   * @default - no replication (the DR region's bootstrap)
   */
  readonly replicaDestination?: BucketLocation;
  /**
   * Create the estate's Route 53 hosted zone here (`dns.createZone`): the first stack
   * deployed, so every later stack can look the zone up by name.
   * @default false
   */
  readonly createHostedZone?: boolean;
  /**
   * Create the CI roles (and GitHub's OIDC provider) here: IAM is global, so once, in the DR
   * site's bootstrap, which an administrator deploys by hand and which outlives the primary.
   * @default false
   */
  readonly ciAccess?: boolean;
}

/**
 * The one-time first step in a region: the durable storage every other stack relies on.
 * The region's storage key, its access log bucket, the state bucket and lock table, the Git
 * backup bucket, and (DR site) the CI roles and, when configured, the hosted zone. Its own state is a local file
 * until `stateBackend.bootstrapStateInS3`.
 */
export class BootstrapStack extends EstateStack {
  /** The region's Terraform state storage. */
  readonly stateBackend: StateBackend;
  /** The region's Git backup bucket (replicated both ways by the regional stacks). */
  readonly gitBackups: SecureBucket;
  /** The hosted zone, when this stack creates it. */
  readonly hostedZone?: Route53Zone;
  /** The region's storage key (state, locks, Git backups, the database secret). */
  readonly storageKey: EncryptionKey;
  /** The region's access log bucket. */
  readonly accessLogs: AccessLogBucket;
  /** The CI roles, when this stack creates them. */
  readonly ciAccess?: CiAccess;
  /** The permissions boundary of every role a deploy creates, when this stack holds the account-wide IAM. */
  readonly workloadBoundary?: BoundaryPolicy;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id, props);
    const { config, site } = props;
    if (config.stateBackend.bootstrapStateInS3) {
      this.useRegionalState();
    } else {
      this.useLocalState();
    }
    this.storageKey = new EncryptionKey(this, 'storage-key', {
      aliasName: storageKeyAlias(config).slice('alias/'.length),
      description: `${namePrefix(config)}: Terraform state, state locks, Git backups and the database secret in ${site.region}`,
      accountId: config.accountId,
    });
    this.accessLogs = new AccessLogBucket(this, 'access-logs', {
      bucketName: accessLogBucketName(config, site.region),
      region: site.region,
      accountId: config.accountId,
      retentionDays: config.logging.accessLogRetentionDays,
    });
    const encryptionKey = { arn: this.storageKey.key.arn, aliasName: this.storageKey.aliasName, accountId: config.accountId };
    this.stateBackend = new StateBackend(this, 'state', {
      bucketName: stateBucketName(config, site.region),
      region: site.region,
      lockTableName: lockTableName(config),
      noncurrentVersionRetentionDays: config.stateBackend.noncurrentVersionRetentionDays,
      replicaDestination: props.replicaDestination,
      replicationRoleName: `${namePrefix(config)}-tfstate-replication`,
      encryptionKey,
      accessLogsBucket: this.accessLogs.bucketName,
    });
    this.gitBackups = new SecureBucket(this, 'git-backups', {
      bucketName: gitBackupBucketName(config, site.region),
      region: site.region,
      noncurrentVersionRetentionDays: config.gitServer.backupVersionRetentionDays,
      // Each backup generation is a new key: kept this many days (the newest is at most a day old).
      expireUnderPrefix: { prefix: GIT_BACKUP_PREFIX, days: config.gitServer.backupVersionRetentionDays },
      encryptionKeyArn: this.storageKey.key.arn,
      accessLogsBucket: this.accessLogs.bucketName,
    });
    if (props.ciAccess) {
      // Account-wide IAM: the DR bootstrap holds it (its state survives the primary region).
      this.workloadBoundary = new BoundaryPolicy(this, 'workload-boundary', {
        name: boundaryPolicyName(config, 'workload'),
        description: 'Permissions boundary of every role the estate\'s deploys create',
        statements: workloadBoundaryStatements({ ciRoleArnPattern: ciRoleArnPattern(config) }),
      });
    }
    if (props.ciAccess && config.ci.githubRepository !== undefined) {
      const regions = [config.primary.region, config.dr.region];
      const secretArn = (region: string, name: string) => `arn:aws:secretsmanager:${region}:${config.accountId}:secret:${name}-??????`;
      this.ciAccess = new CiAccess(this, 'ci', {
        reviewRoleName: ciRoleName(config, 'review'),
        planRoleName: ciRoleName(config, 'plan'),
        deployRoleName: ciRoleName(config, 'deploy'),
        regionalDeployRoles: Object.fromEntries(
          regions.map((r) => [r, { roleName: ciRoleName(config, `deploy-${r}`), iamNamePatterns: regionalIamNamePatterns(config, r) }]),
        ),
        dnsDeployRoleName: ciRoleName(config, 'deploy-dns'),
        dnsState: {
          region: config.dr.region,
          bucket: stateBucketName(config, config.dr.region),
          key: stateKey(config, DNS_STACK_NAME),
          lockTable: lockTableName(config),
        },
        reads: {
          backupBuckets: regions.map((r) => gitBackupBucketName(config, r)),
          plainParameters: [drPostureParameterName(config)],
          // The database secret (opened ephemerally by the regional stacks) and each region's
          // Grafana admin copy (a write-only version the provider still reads on refresh).
          secretArns: regions.flatMap((r) => [secretArn(r, databaseSecretName(config)), secretArn(r, grafanaAdminSecretName(config, r))]),
        },
        accountId: config.accountId,
        storageKeyAlias: storageKeyAlias(config),
        zoneName: config.dns.zoneName,
        workloadBoundaryArn: this.workloadBoundary!.policy.arn,
        ciDeployBoundaryName: boundaryPolicyName(config, 'ci-deploy'),
        attachablePolicyArns: Object.values(AWS_MANAGED_POLICY_ARNS),
        githubRepository: config.ci.githubRepository,
        deployEnvironment: config.ci.deployEnvironment,
        planEnvironment: config.ci.planEnvironment,
      });
    }
    if (props.createHostedZone) {
      this.hostedZone = new Route53Zone(this, 'hosted-zone', {
        name: config.dns.zoneName,
        comment: `${namePrefix(config)}: created by ${id}`,
        lifecycle: { preventDestroy: true },
      });
      new TerraformOutput(this, 'name-servers', {
        value: this.hostedZone.nameServers,
        description: `Name servers to delegate ${config.dns.zoneName} to.`,
      });
    }
  }
}
