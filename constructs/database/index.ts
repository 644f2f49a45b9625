import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsDbInstances } from '@cdktf/provider-aws/lib/data-aws-db-instances';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { addressOfChild, forgetWithoutDestroying } from '../addresses';
import { keyPolicy } from '../encryption-key';
import { serviceTrust } from '../trust';
import { DATABASE_ENGINES, performanceInsightsSupported } from '../../config/engines';
import type { DatabaseProps } from './props';
import { AWS_MANAGED_POLICY_ARNS } from '../managed-policies';

export * from './props';
export { performanceInsightsSupported } from '../../config/engines';

/**
 * The database of one region (spec: "2 nodes per cluster", here a Multi-AZ primary and
 * standby): encrypted with the region's own KMS key, reachable only from the app tier, with
 * deletion protection, a final snapshot and `prevent_destroy`.
 */
export class Database extends Construct {
  /** The DB instance. */
  readonly instance: DbInstance;
  /** The region's database encryption key (rotation on). */
  readonly key: KmsKey;
  /** Security group of the database. */
  readonly securityGroup: SecurityGroup;
  /** DB instance identifier. */
  readonly identifier: string;
  /** DB instance ARN (a replica in the other region names this as its source). */
  readonly arn: string;
  /** Port clients connect on. */
  readonly port: number;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const engine = props.engine;
    const spec = DATABASE_ENGINES[engine];
    const backupRetentionDays = props.backupRetentionDays;
    if (backupRetentionDays < 7 || backupRetentionDays > 35) {
      throw new Error(
        `Database ${id}: backupRetentionDays is ${backupRetentionDays}, expected 7 to 35 days.`,
      );
    }
    const { role, incarnation, identifier } = props.instance;
    if (role.kind === 'replica' && !role.sourceArn.startsWith('arn:')) {
      throw new Error(
        `Database ${id}: instance.role.sourceArn is "${role.sourceArn}", expected the source instance's ARN (cross-region replicas name their source by ARN).`,
      );
    }
    if (!Number.isInteger(incarnation) || incarnation < 1 || props.instance.retiredIncarnation === incarnation) {
      throw new Error(
        `Database ${id}: instance.incarnation is ${incarnation}, expected a whole number of at least 1, different from retiredIncarnation.`,
      );
    }
    const writer = role.kind !== 'replica';
    const password = props.masterPassword;
    if (writer && !password) {
      throw new Error(`Database ${id}: masterPassword is missing, expected the master password for the ${role.kind} role (a writer).`);
    }
    if (password && (!Number.isInteger(password.version) || password.version < 1)) {
      throw new Error(`Database ${id}: masterPassword.version is ${password.version}, expected a whole number of at least 1.`);
    }
    this.identifier = identifier;
    this.port = spec.port;

    this.key = new KmsKey(this, 'key', {
      description: `${props.name}: RDS storage and Performance Insights`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy(this, 'key-policy', props.accountId),
      // Without the key the database and every snapshot of it are unreadable.
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${props.name}`, targetKeyId: this.key.keyId });

    const subnetGroup = new DbSubnetGroup(this, 'subnet-group', {
      name: props.name,
      description: 'Database subnets, one per AZ',
      subnetIds: props.network.databaseSubnets.map((s) => s.id),
    });
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: props.name,
      description: 'Database: its port from the app tier only',
      vpcId: props.network.vpc.id,
      tags: { Name: props.name },
    });
    new VpcSecurityGroupIngressRule(this, 'in-clients', {
      securityGroupId: this.securityGroup.id,
      description: 'The database port from the app tier',
      ipProtocol: 'tcp',
      fromPort: spec.port,
      toPort: spec.port,
      referencedSecurityGroupId: props.clientSecurityGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, 'clients-out', {
      securityGroupId: props.clientSecurityGroup.id,
      description: 'The app tier to the database',
      ipProtocol: 'tcp',
      fromPort: spec.port,
      toPort: spec.port,
      referencedSecurityGroupId: this.securityGroup.id,
    });

    // Arguments every role shares: placement, size, encryption, protection.
    const engineVersion = props.engineVersion;
    const instanceClass = props.instanceClass;
    const slowMs = props.slowStatementMilliseconds ?? 1000;
    // Every parameter here is dynamic: a changed value applies without a reboot.
    const parameterGroup = new DbParameterGroup(this, 'parameters', {
      name: `${props.name}-${spec.family(engineVersion).replace('.', '-')}`,
      family: spec.family(engineVersion),
      description: 'TLS required; DDL and slow statements logged',
      parameter: spec.parameters(slowMs).map((p) => ({ ...p, applyMethod: 'immediate' })),
      lifecycle: { createBeforeDestroy: true },
    });
    const monitoringRole = new IamRole(this, 'monitoring-role', {
      name: props.monitoringRoleName,
      assumeRolePolicy: serviceTrust(this, 'monitoring-trust', 'monitoring.rds.amazonaws.com'),
    });
    const monitoringPolicy = new IamRolePolicyAttachment(this, 'monitoring-policy', {
      role: monitoringRole.name,
      policyArn: AWS_MANAGED_POLICY_ARNS.rdsEnhancedMonitoring,
    });
    // The exported logs' groups, created before the instance so RDS writes into groups with a
    // retention and the region's log key (RDS would create them unencrypted, kept forever).
    const logGroups = (n: number) =>
      spec.logs.map(
        (log) =>
          new CloudwatchLogGroup(this, `logs-${n}-${log}`, {
            name: `/aws/rds/instance/${identifier}/${log}`,
            retentionInDays: props.logRetentionDays ?? 365,
            kmsKeyId: props.logsKeyArn,
          }),
      );
    const exportedLogs = logGroups(incarnation);

    const common = {
      identifier,
      instanceClass,
      multiAz: true,
      storageType: 'gp3',
      maxAllocatedStorage: props.maxAllocatedStorageGb,
      storageEncrypted: true,
      kmsKeyId: this.key.arn,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      enabledCloudwatchLogsExports: [...spec.logs],
      parameterGroupName: parameterGroup.name,
      caCertIdentifier: 'rds-ca-rsa2048-g1',
      iamDatabaseAuthenticationEnabled: true,
      monitoringInterval: 60,
      monitoringRoleArn: monitoringRole.arn,
      ...(performanceInsightsSupported(engine, instanceClass)
        ? { performanceInsightsEnabled: true, performanceInsightsKmsKeyId: this.key.arn, performanceInsightsRetentionPeriod: 7 }
        : {}),
      copyTagsToSnapshot: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      lifecycle: { preventDestroy: true },
      tags: { Name: identifier, Incarnation: String(incarnation) },
      dependsOn: [...exportedLogs, monitoringPolicy],
    };
    // Never manage_master_user_password: RDS cannot create a read replica of an instance whose
    // master password it manages, and every writer here is a replica's source at some point.
    const writeOnlyPassword = password ? { passwordWo: password.value, passwordWoVersion: password.version } : {};
    // The incarnation is part of the address: a new incarnation is a new resource, and no
    // transition ever replaces one in place.
    const instanceId = `instance-${incarnation}`;
    switch (role.kind) {
      case 'primary':
        this.instance = new DbInstance(this, instanceId, {
          ...common,
          ...writeOnlyPassword,
          engine,
          engineVersion,
          allocatedStorage: props.allocatedStorageGb,
          dbName: props.databaseName,
          username: props.masterUsername,
          backupRetentionPeriod: backupRetentionDays,
          backupWindow: '03:00-04:00',
          maintenanceWindow: 'sun:05:00-sun:06:00',
        });
        break;
      case 'replica':
        // Engine, storage, database and user come from the source.
        this.instance = new DbInstance(this, instanceId, {
          ...common,
          replicateSourceDb: role.sourceArn,
        });
        break;
      case 'promoted': {
        // A promotion acts on an existing replica. Were this incarnation never created (a
        // reprotect skipped in config), Terraform would create an empty writer: refuse at plan.
        const existing = new DataAwsDbInstances(this, `instance-${incarnation}-exists`, {
          filter: [{ name: 'db-instance-id', values: [identifier] }],
        });
        this.instance = new DbInstance(this, instanceId, {
          ...common,
          lifecycle: {
            ...common.lifecycle,
            precondition: [
              {
                condition: `\${length(${existing.fqn}.instance_identifiers) == 1}`,
                errorMessage: `Promoting ${identifier} needs it to exist as a replica; it does not, so this plan would create an empty writer. Reach this state through failover and reprotect, not by editing reprotects alone.`,
              },
            ],
          },
          ...writeOnlyPassword,
          backupRetentionPeriod: backupRetentionDays,
          backupWindow: '03:00-04:00',
          maintenanceWindow: 'sun:05:00-sun:06:00',
        });
        break;
      }
    }
    this.arn = this.instance.arn;
    if (props.instance.retiredIncarnation !== undefined) {
      const retired = props.instance.retiredIncarnation;
      forgetWithoutDestroying(this, addressOfChild(this, `instance-${retired}`, 'aws_db_instance'));
      // The detached old writer still logs into its groups: they stay with it.
      for (const log of spec.logs) forgetWithoutDestroying(this, addressOfChild(this, `logs-${retired}-${log}`, 'aws_cloudwatch_log_group'));
    }

    new TerraformOutput(this, 'identifier', {
      value: this.instance.identifier,
      description: 'DB instance identifier.',
    });
    new TerraformOutput(this, 'arn', { value: this.instance.arn, description: 'DB instance ARN.' });
    new TerraformOutput(this, 'endpoint', {
      value: this.instance.address,
      description: 'Host name clients connect to.',
    });
  }
}
