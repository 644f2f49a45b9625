import { TerraformStack, Testing } from 'cdktf';
import { Database } from '../../constructs/database';
import { Network } from '../../constructs/network';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { committedInput, resource, synthEstate, withInput, PROPS_AT_CONFIG_DEFAULTS } from '../helpers';

const normal = synthEstate();
const failover = synthEstate(committedInput, { activeRegionOverride: 'us-west-1' });
/** The DB instance of a regional stack (incarnation 1 on the primary site, 2 on the DR site). */
const db = (estate: ReturnType<typeof synthEstate>, name: string) =>
  resource(estate.byName[name], 'aws_db_instance', name.endsWith('us-east-2') ? 'database_instance_1' : 'database_instance_2');

describe.each(['regional-us-east-2', 'regional-us-west-1'])('database of %s', (name) => {
  const stack = normal.byName[name];

  test('Multi-AZ (the spec\'s two nodes), db.t3.small, gp3, encrypted with the region\'s own rotating key', () => {
    expect(db(normal, name)).toMatchObject({
      identifier: name.endsWith('us-east-2') ? 'dr-estate-prod-db-1' : 'dr-estate-prod-db-2',
      multi_az: true,
      instance_class: 'db.t3.small',
      storage_type: 'gp3',
      storage_encrypted: true,
      kms_key_id: '${aws_kms_key.database_key.arn}',
      publicly_accessible: false,
    });
    expect(resource(stack, 'aws_kms_key', 'database_key')).toMatchObject({
      enable_key_rotation: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  test('deletion protection, a final snapshot on delete, prevent_destroy', () => {
    expect(db(normal, name)).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: `${db(normal, name).identifier}-final`,
      copy_tags_to_snapshot: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  test('in the database subnets, its port open only to the app tier', () => {
    expect(resource(stack, 'aws_db_subnet_group', 'database_subnet_group').subnet_ids).toEqual(
      expect.arrayContaining(['${aws_subnet.network_database_0.id}', '${aws_subnet.network_database_1.id}']),
    );
    expect(resource(stack, 'aws_vpc_security_group_ingress_rule', 'database_in_clients')).toMatchObject({
      security_group_id: '${aws_security_group.database_security_group.id}',
      from_port: 5432,
      to_port: 5432,
      referenced_security_group_id: '${aws_security_group.app_instance_sg.id}',
    });
    expect(db(normal, name).vpc_security_group_ids).toEqual(['${aws_security_group.database_security_group.id}']);
  });

  test('logs go to CloudWatch', () => {
    expect(db(normal, name).enabled_cloudwatch_logs_exports).toEqual(['postgresql', 'upgrade']);
  });
});

describe('primary database (us-east-2)', () => {
  const primary = db(normal, 'regional-us-east-2');

  test('the master password is passed write-only from the estate\'s secret (never RDS-managed, never in state)', () => {
    expect(primary).toMatchObject({
      username: 'estate_admin',
      password_wo: '${jsondecode(ephemeral.aws_secretsmanager_secret_version.database_master_password.secret_string).password}',
      password_wo_version: 1,
    });
    expect(primary.manage_master_user_password).toBeUndefined();
    for (const stack of Object.values(normal.byName)) {
      expect(stack.text).not.toMatch(/"(master_)?password"\s*:/);
      expect(stack.text).not.toMatch(/"secret_string"\s*:/);
    }
  });

  test('the secret is Terraform\'s: replicated to us-west-1, protected, its first value generated ephemerally', () => {
    const stack = normal.byName['regional-us-east-2'];
    expect(resource(stack, 'aws_secretsmanager_secret', 'database_credentials_secret')).toMatchObject({
      name: 'dr-estate-prod/db-master',
      replica: [{ region: 'us-west-1' }],
      recovery_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    const value = resource(stack, 'aws_secretsmanager_secret_version', 'database_credentials_initial_value');
    expect(value.secret_string_wo).toContain('ephemeral.aws_secretsmanager_random_password.database_credentials_password.random_password');
    expect(value.secret_string_wo_version).toBe(1);
    const ephemeral = stack.json.ephemeral as Record<string, Record<string, Record<string, unknown>>>;
    expect(ephemeral.aws_secretsmanager_random_password.database_credentials_password).toMatchObject({ password_length: 32, exclude_punctuation: true });
    // Terraform defers an ephemeral resource to the apply only when one of its arguments is
    // unknown at plan time; depends_on does not ("Defer provisioning", developer.hashicorp.com/
    // terraform/language/v1.11.x/resources/ephemeral/reference). A literal name was read at the
    // first plan, before the secret existed, and failed the first deploy (seen in the drill).
    // The first value's secret_id is unknown until the secret exists.
    expect(ephemeral.aws_secretsmanager_secret_version.database_master_password).toEqual({
      secret_id: '${aws_secretsmanager_secret_version.database_credentials_initial_value.secret_id}',
    });
  });

  test('only the primary site\'s stack owns the secret', () => {
    expect(normal.byName['regional-us-west-1'].json.resource.aws_secretsmanager_secret).toBeUndefined();
  });

  test('engine postgres 16, backups kept 7 days', () => {
    expect(primary).toMatchObject({ engine: 'postgres', engine_version: '16', backup_retention_period: 7, db_name: 'app' });
    expect(primary.replicate_source_db).toBeUndefined();
  });
});

describe('DR database (us-west-1)', () => {
  test('normal: a cross-region replica of the primary, named by ARN, encrypted with the DR key', () => {
    const replica = db(normal, 'regional-us-west-1');
    expect(replica.replicate_source_db).toBe(
      'arn:aws:rds:us-east-2:111122223333:db:dr-estate-prod-db-1',
    );
    expect(replica.kms_key_id).toBe('${aws_kms_key.database_key.arn}');
    for (const field of ['engine', 'username', 'db_name', 'password_wo', 'allocated_storage']) {
      expect([field, replica[field]]).toEqual([field, undefined]);
    }
  });

  test('the replica reads nothing in us-east-2: its stack has only its own region\'s provider', () => {
    const stack = normal.byName['regional-us-west-1'];
    expect((stack.json.provider.aws as any[]).map((p) => p.region)).toEqual(['us-west-1']);
    expect(stack.json.data?.terraform_remote_state).toBeUndefined();
  });

  test('failover: the same resource without replicate_source_db (a promotion), with backups and the password from the secret\'s us-west-1 replica', () => {
    const promoted = db(failover, 'regional-us-west-1');
    expect(promoted.replicate_source_db).toBeUndefined();
    expect(promoted.manage_master_user_password).toBeUndefined();
    const ephemeral = failover.byName['regional-us-west-1'].json.ephemeral as Record<string, Record<string, Record<string, unknown>>>;
    expect(ephemeral.aws_secretsmanager_secret_version.database_master_password).toEqual({ secret_id: 'dr-estate-prod/db-master' });
    expect((failover.byName['regional-us-west-1'].json.provider.aws as any[]).map((p) => p.region)).toEqual(['us-west-1']);
    expect(promoted).toMatchObject({
      identifier: 'dr-estate-prod-db-2',
      backup_retention_period: 7,
      password_wo: '${jsondecode(ephemeral.aws_secretsmanager_secret_version.database_master_password.secret_string).password}',
      password_wo_version: 1,
      multi_az: true,
      lifecycle: { prevent_destroy: true },
    });
    // Arguments that would force a new instance stay as the replica had them.
    for (const field of ['engine', 'username', 'db_name', 'allocated_storage', 'kms_key_id', 'storage_encrypted']) {
      expect([field, promoted[field]]).toEqual([field, db(normal, 'regional-us-west-1')[field]]);
    }
  });
});

describe('database options', () => {
  test('mysql uses its own port and log exports', () => {
    const mysql = synthEstate(withInput({ database: { engine: 'mysql' } })).byName['regional-us-east-2'];
    expect(resource(mysql, 'aws_db_instance', 'database_instance_1')).toMatchObject({
      engine: 'mysql',
      engine_version: '8.0',
      enabled_cloudwatch_logs_exports: ['error', 'slowquery'],
    });
    expect(resource(mysql, 'aws_vpc_security_group_ingress_rule', 'database_in_clients').from_port).toBe(3306);
  });

  test('the instance class is configurable', () => {
    const large = synthEstate(withInput({ database: { instanceClass: 'db.m7g.large' } }));
    expect(db(large, 'regional-us-west-1').instance_class).toBe('db.m7g.large');
  });
});

describe('Database props validation', () => {
  const build = (role: any, backupRetentionDays?: number, incarnation = 2) => () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const network = new Network(stack, 'network', { name: 'n', region: 'us-west-1', cidrBlock: '10.0.0.0/16', azCount: 2 });
    const clients = new SecurityGroup(stack, 'clients', { vpcId: network.vpc.id });
    new Database(stack, 'database', {
      name: 'db',
      network,
      clientSecurityGroup: clients,
      accountId: '111122223333',
      monitoringRoleName: 'db-monitoring',
      logsKeyArn: 'arn:aws:kms:us-west-1:111122223333:key/logs',
      instance: { incarnation, identifier: 'db-2', role },
      ...PROPS_AT_CONFIG_DEFAULTS.database,
      backupRetentionDays: backupRetentionDays ?? PROPS_AT_CONFIG_DEFAULTS.database.backupRetentionDays,
    });
  };

  test('fails if a replica source is not an ARN', () => {
    expect(build({ kind: 'replica', sourceArn: 'dr-estate-prod-db-1' })).toThrow(
      'Database database: instance.role.sourceArn is "dr-estate-prod-db-1", expected the source instance\'s ARN (cross-region replicas name their source by ARN).',
    );
  });

  test('fails if backups are kept under 7 days', () => {
    expect(build({ kind: 'primary' }, 3)).toThrow('Database database: backupRetentionDays is 3, expected 7 to 35 days.');
  });

  test('fails if the incarnation is not a positive whole number', () => {
    expect(build({ kind: 'primary' }, 7, 0)).toThrow(
      'Database database: instance.incarnation is 0, expected a whole number of at least 1, different from retiredIncarnation.',
    );
  });
});
