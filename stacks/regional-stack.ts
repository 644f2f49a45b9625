import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Annotations } from 'cdktf';
import type { Construct } from 'constructs';
import type { EstateConfig, SiteConfig } from '../config/load';
import { boundaryPolicyArn, accessLogBucketName, drPostureParameterName, appDomainName, databaseIdentifier, databaseSecretName, gitBackupBucketName, regionalName, stateBucketName, stateReplicationBackRoleName, storageKeyAlias } from '../config/naming';
import { LOAD_BALANCER_LOG_PREFIX } from '../constructs/access-log-bucket';
import { BucketReplication } from '../constructs/bucket-replication';
import { EncryptionKey } from '../constructs/encryption-key';
import { WebFirewall } from '../constructs/web-firewall';
import { Alerts, alertTopicName } from '../constructs/alerts';
import { AppTier } from '../constructs/app-tier';
import { DATABASE_ENGINES } from '../config/engines';
import { Database, type DatabaseInstanceSpec, type DatabaseRole } from '../constructs/database';
import { DatabaseCredentials, masterPasswordFromSecret } from '../constructs/database-credentials';
import { clusterAdminRoleArns, clusterViewRoleArns } from '../config/ci';
import { sitePosture } from '../config/dr';
import { KubernetesCluster } from '../constructs/eks-cluster';
import { GitServer } from '../constructs/git-server';
import { DrPostureParameter } from '../constructs/dr-posture-parameter';
import { Network } from '../constructs/network';
import { bucketLocation, type BucketLocation } from '../constructs/secure-bucket';
import { EstateStack, estateTags, type EstateStackProps } from './estate-stack';
import { PermissionsBoundary } from '../constructs/permissions-boundary';

/** Props of {@link RegionalStack}. */
export interface RegionalStackProps extends EstateStackProps {
  /**
   * Replicate this region's state bucket into this bucket of the other region. Set for the
   * site whose bootstrap is deployed first (the other region's bucket does not exist then, and
   * S3 refuses a rule into a missing bucket): the two state buckets replicate both ways.
   * @default - the region's bootstrap stack replicates its state bucket
   */
  readonly stateReplicaDestination?: BucketLocation;
}

/**
 * Everything a region runs, built by the same code for both regions: only the site (region,
 * CIDR, AZ count, posture) differs. State lives in the region's own bucket, and nothing here
 * reads the other region: the DR region names the primary database by a computed ARN.
 */
export class RegionalStack extends EstateStack {
  /** The region's network. */
  readonly network: Network;
  /** Load balancer and app servers. */
  readonly appTier: AppTier;
  /** The region's database (primary, replica or promoted replica). */
  readonly database: Database;
  /** The database master secret: owned by the primary site's stack, replicated to the DR site. */
  readonly databaseCredentials?: DatabaseCredentials;
  /** The region's Git server (running when active, a stopped mirror when passive). */
  readonly gitServer: GitServer;
  /** The region's EKS cluster (monitoring runs on it, deployed by the monitoring stack). */
  readonly cluster: KubernetesCluster;
  /** The region's alert topic (Alertmanager and CloudWatch alarms publish to it). */
  readonly alerts: Alerts;
  /** The region's log key (every log group of the region). */
  readonly logsKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: RegionalStackProps) {
    super(scope, id, props);
    // Every role this stack creates is capped by the workload boundary (the DR bootstrap's).
    PermissionsBoundary.of(this, boundaryPolicyArn(props.config, 'workload'));
    const { config, site } = props;
    const peer = site.role === 'primary' ? config.dr : config.primary;
    const name = regionalName(config, site.region);
    this.useRegionalState();
    const storageKey = { aliasName: storageKeyAlias(config), accountId: config.accountId };

    // The region's log key: every log group the region writes is encrypted with it.
    this.logsKey = new EncryptionKey(this, 'logs-key', {
      aliasName: `${name}-logs`,
      description: `${name}: CloudWatch Logs (VPC flow logs, EKS control plane, RDS, WAF)`,
      accountId: config.accountId,
      services: [
        {
          // CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS".
          sid: 'CloudWatchLogsEncryptsThisAccountsGroups',
          service: `logs.${site.region}.amazonaws.com`,
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          conditions: [
            {
              test: 'ArnLike',
              variable: 'kms:EncryptionContext:aws:logs:arn',
              values: [`arn:aws:logs:${site.region}:${config.accountId}:log-group:*`],
            },
          ],
        },
      ],
    });
    const logsKeyArn = this.logsKey.key.arn;

    if (props.stateReplicaDestination) {
      const stateBucket = bucketLocation(stateBucketName(config, site.region), site.region);
      new BucketReplication(this, 'state-replication', {
        source: stateBucket,
        destination: props.stateReplicaDestination,
        roleName: stateReplicationBackRoleName(config, site.region),
        kms: { accountId: config.accountId, keyAliasName: storageKey.aliasName },
      });
    }

    this.network = new Network(this, 'network', {
      name,
      region: site.region,
      cidrBlock: site.vpcCidr,
      azCount: site.azCount,
      natGateways: config.network.natGateways,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
      logsKeyArn,
    });

    const app = config.appTier;
    const db = config.database;
    const secretName = databaseSecretName(config);
    const instance = this.databaseInstance(config, site);
    // The region's Git backup bucket: backups, and the boot artifacts under artifacts/.
    const backupBucket = bucketLocation(gitBackupBucketName(config, site.region), site.region);
    // Route 53 is a global service: looking the zone up does not touch the other region.
    const zone = app.https
      ? new DataAwsRoute53Zone(this, 'zone', { name: config.dns.zoneName, privateZone: false })
      : undefined;
    this.appTier = new AppTier(this, 'app', {
      name,
      region: site.region,
      network: this.network,
      capacity: sitePosture(config, site).app,
      instanceType: app.instanceType,
      appPort: app.appPort,
      healthCheckPath: app.healthCheckPath,
      // The primary site's stack owns the validation record both certificates share.
      tls: zone
        ? { domainName: appDomainName(config), hostedZoneId: zone.zoneId, ownsValidationRecord: site.role === 'primary' }
        : undefined,
      artifactBucket: backupBucket,
      database: {
        engine: db.engine,
        identifier: instance.identifier,
        name: db.databaseName,
        port: DATABASE_ENGINES[db.engine].port,
        secretId: secretName,
        accountId: config.accountId,
      },
      deletionProtection: app.deletionProtection,
      accessLogs: { bucket: accessLogBucketName(config, site.region), prefix: LOAD_BALANCER_LOG_PREFIX },
      storageKeyAlias: storageKey.aliasName,
      launchTags: estateTags(config, site),
    });
    new WebFirewall(this, 'waf', { name, resourceArn: this.appTier.loadBalancer.arn, logsKeyArn });

    if (site.role === 'primary') {
      this.databaseCredentials = new DatabaseCredentials(this, 'database-credentials', {
        secretName,
        username: db.masterUsername,
        replicaRegions: [peer.region],
        keyAlias: storageKey.aliasName,
      });
    }
    this.database = new Database(this, 'database', {
      name: databaseIdentifier(config),
      network: this.network,
      clientSecurityGroup: this.appTier.instanceSecurityGroup,
      instance,
      // A writer's password, read from this region's copy of the secret when Terraform runs.
      masterPassword:
        instance.role.kind === 'replica'
          ? undefined
          : {
              value: masterPasswordFromSecret(this, 'database-master-password', this.databaseCredentials ?? secretName),
              version: db.masterPasswordVersion,
            },
      engine: db.engine,
      engineVersion: db.engineVersion,
      instanceClass: db.instanceClass,
      allocatedStorageGb: db.allocatedStorageGb,
      maxAllocatedStorageGb: db.maxAllocatedStorageGb,
      backupRetentionDays: db.backupRetentionDays,
      databaseName: db.databaseName,
      masterUsername: db.masterUsername,
      accountId: config.accountId,
      monitoringRoleName: `${name}-rds-monitoring`,
      logsKeyArn,
    });

    this.alerts = new Alerts(this, 'alerts', {
      name,
      accountId: config.accountId,
      emails: config.monitoring.alertEmails,
      replicaLag: {
        dbInstanceIdentifier: instance.identifier,
        isReplica: instance.role.kind === 'replica',
        thresholdSeconds: config.monitoring.replicaLagAlarmSeconds,
      },
      appTier: {
        autoScalingGroupName: this.appTier.asgName,
        targetGroupArnSuffix: this.appTier.targetGroup.arnSuffix,
        loadBalancerArnSuffix: this.appTier.loadBalancer.arnSuffix,
      },
    });
    if (!config.monitoring.alertEmails.length) {
      // prod refuses this at config validation (config/schema/rules.ts alertDestinationInProd).
      Annotations.of(this).addWarning(
        `monitoring.alertEmails is empty: no alert of ${site.region} (AppTierDown, replica lag, the monitoring heartbeat) reaches anyone; subscribe an address or a pager to ${alertTopicName(name)}.`,
      );
    }

    const eks = config.eks;
    this.cluster = new KubernetesCluster(this, 'eks', {
      name,
      network: this.network,
      adminRoleArns: clusterAdminRoleArns(config, site.region),
      viewRoleArns: clusterViewRoleArns(config),
      kubernetesVersion: eks.kubernetesVersion,
      upgradeSupport: eks.upgradeSupport,
      nodeInstanceType: eks.nodeInstanceType,
      nodeCount: eks.nodeCount,
      nodeMaxCount: eks.nodeMaxCount,
      publicAccessCidrs: eks.publicAccessCidrs,
      logRetentionDays: eks.controlPlaneLogRetentionDays,
      addonVersions: eks.addonVersions,
      logsKeyArn,
      accountId: config.accountId,
      launchTags: estateTags(config, site),
    });
    // Prometheus on the cluster's nodes scrapes node_exporter on the app servers.
    this.appTier.allowMetricsScrapeFrom(
      'metrics-from-eks',
      this.cluster.clusterSecurityGroupId,
      'node_exporter scraped by Prometheus on the EKS nodes',
    );

    const git = config.gitServer;
    const posture = new DrPostureParameter(this, 'dr-posture', {
      name: drPostureParameterName(config),
      activeRegion: config.activeRegion,
      switches: config.switches,
    });
    this.gitServer = new GitServer(this, 'git', {
      name,
      network: this.network,
      running: sitePosture(config, site).gitServer === 'running',
      backupBucket,
      peerBackupBucket: bucketLocation(gitBackupBucketName(config, peer.region), peer.region),
      storageKey,
      launchTags: estateTags(config, site),
      instanceType: git.instanceType,
      dataVolumeSizeGb: git.dataVolumeSizeGb,
      giteaVersion: git.giteaVersion,
      backupIntervalMinutes: git.backupIntervalMinutes,
      handoverWaitMinutes: git.handoverWaitMinutes,
      posture,
      allowedCidrs: git.allowedCidrs,
    });
    // ... and the Git server's node_exporter: the backup age the Git RPO alert watches.
    this.gitServer.allowMetricsScrapeFrom(
      'metrics-from-eks',
      this.cluster.clusterSecurityGroupId,
      'node_exporter (Git backup age) scraped by Prometheus on the EKS nodes',
    );
  }

  /**
   * The database incarnation this site runs in the current DR state (`config/dr.ts`): the
   * writer, a replica of the active site's (named by its ARN, built from the config: the
   * account the providers are pinned to, nothing read in either region), or the detached old writer.
   */
  private databaseInstance(config: EstateConfig, site: SiteConfig): DatabaseInstanceSpec {
    const placement = sitePosture(config, site).database;
    let role: DatabaseRole;
    if (placement.kind === 'replica' && placement.source) {
      role = {
        kind: 'replica',
        sourceArn: `arn:aws:rds:${placement.source.region}:${config.accountId}:db:${placement.source.identifier}`,
      };
    } else {
      role = { kind: placement.kind === 'primary' ? 'primary' : 'promoted' };
    }
    return {
      incarnation: placement.incarnation,
      identifier: placement.identifier,
      role,
      retiredIncarnation: placement.retiredIncarnation,
    };
  }
}

