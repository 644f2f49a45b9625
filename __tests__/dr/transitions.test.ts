import { deploySequence } from '../../scripts/deploy/order';
import { activeAndPassive, drState } from '../../config/dr';
import { resolveConfig, type EstateConfig } from '../../config/load';
import { describeChange, diffEstates } from '../../scripts/dr/diff';
import type { StackJson } from '../../scripts/dr/synthesize';
import { committedInput, DR_CYCLE, inPosition, synthesizedStacks } from '../helpers';

/*
 * The change contract of the DR switch: every posture of a full cycle is synthesized, and the
 * diff between consecutive postures must be exactly the expected set, nothing else.
 */

const postures = DR_CYCLE.map((p) => {
  const input = inPosition(p);
  return { ...p, config: resolveConfig(input), stacks: synthesizedStacks(input) as Record<string, StackJson> };
});

// A switch into a state whose passive site holds the detached old writer (failover, failback)
// removes the standby route: no traffic may reach that writer; a reprotect creates it again.
const SWITCH_DNS = [
  // Records keep their failover type; the switch repoints the active one and the monitoring name.
  'update dns-global           aws_route53_record.failover_app_active (alias.name, alias.zone_id, health_check_id)',
  'delete dns-global           aws_route53_record.failover_app_standby',
  'update dns-global           aws_route53_record.failover_monitoring (count, records.0)',
];
const STANDBY_ROUTE_BACK = 'create dns-global           aws_route53_record.failover_app_standby';
const SWITCH_REGION = (region: string) => [
  `update regional-${region.padEnd(9)}   aws_autoscaling_group.app_asg (desired_capacity, min_size)`,
  `update regional-${region.padEnd(9)}   aws_ec2_instance_state.git_state (state)`,
];
// Each region's copy of the posture the Git servers read at start (their epoch: switches).
const POSTURE_PARAMETER = (region: string) =>
  `update regional-${region.padEnd(9)}   aws_ssm_parameter.dr_posture_parameter (insecure_value.activeRegion, insecure_value.switches)`;
// Nothing in the monitoring stacks changes with the posture (they may not be redeployable in an outage).
// The replica-lag alarm follows the region's database: silent on a writer, on a new replica.
const ALARM_ON_PROMOTION = (region: string) => `update regional-${region.padEnd(9)}   aws_cloudwatch_metric_alarm.alerts_replica_lag (actions_enabled)`;
const ALARM_ON_NEW_REPLICA = (region: string) =>
  `update regional-${region.padEnd(9)}   aws_cloudwatch_metric_alarm.alerts_replica_lag (actions_enabled, alarm_description, dimensions.DBInstanceIdentifier)`;
const PROMOTION =
  '(backup_retention_period, backup_window, lifecycle.precondition, maintenance_window, password_wo, password_wo_version, replicate_source_db)';

const EXPECTED: Record<string, string[]> = {
  'normal -> failover': [
    ...SWITCH_DNS,
    ...SWITCH_REGION('us-east-2'),
    POSTURE_PARAMETER('us-east-2'),
    SWITCH_REGION('us-west-1')[0],
    ALARM_ON_PROMOTION('us-west-1'),
    `update regional-us-west-1   aws_db_instance.database_instance_2 ${PROMOTION}`,
    SWITCH_REGION('us-west-1')[1],
    POSTURE_PARAMETER('us-west-1'),
  ],
  'failover -> reprotected': [
    STANDBY_ROUTE_BACK,
    // The detached old writer keeps its log groups; the new replica gets its own.
    'forget regional-us-east-2   aws_cloudwatch_log_group.database_logs_1_postgresql',
    'forget regional-us-east-2   aws_cloudwatch_log_group.database_logs_1_upgrade',
    'create regional-us-east-2   aws_cloudwatch_log_group.database_logs_3_postgresql',
    'create regional-us-east-2   aws_cloudwatch_log_group.database_logs_3_upgrade',
    ALARM_ON_NEW_REPLICA('us-east-2'),
    'forget regional-us-east-2   aws_db_instance.database_instance_1',
    'create regional-us-east-2   aws_db_instance.database_instance_3',
    // The app servers find their region's database by identifier (the passive tier runs none).
    'update regional-us-east-2   aws_launch_template.app_launch_template (user_data)',
  ],
  'reprotected -> failback': [
    ...SWITCH_DNS,
    SWITCH_REGION('us-east-2')[0],
    ALARM_ON_PROMOTION('us-east-2'),
    `update regional-us-east-2   aws_db_instance.database_instance_3 ${PROMOTION}`,
    SWITCH_REGION('us-east-2')[1],
    POSTURE_PARAMETER('us-east-2'),
    ...SWITCH_REGION('us-west-1'),
    POSTURE_PARAMETER('us-west-1'),
  ],
  'failback -> normal': [
    STANDBY_ROUTE_BACK,
    'forget regional-us-west-1   aws_cloudwatch_log_group.database_logs_2_postgresql',
    'forget regional-us-west-1   aws_cloudwatch_log_group.database_logs_2_upgrade',
    'create regional-us-west-1   aws_cloudwatch_log_group.database_logs_4_postgresql',
    'create regional-us-west-1   aws_cloudwatch_log_group.database_logs_4_upgrade',
    ALARM_ON_NEW_REPLICA('us-west-1'),
    'forget regional-us-west-1   aws_db_instance.database_instance_2',
    'create regional-us-west-1   aws_db_instance.database_instance_4',
    'update regional-us-west-1   aws_launch_template.app_launch_template (user_data)',
  ],
};

const transitions = postures.slice(1).map((after, i) => ({
  name: `${postures[i].label} -> ${after.label}`,
  before: postures[i],
  after,
  changes: diffEstates(postures[i].stacks, after.stacks),
}));

test('the cycle passes through the four states in order', () => {
  expect(postures.map((p) => drState(p.config))).toEqual(['normal', 'failover', 'reprotected', 'failback', 'normal']);
});

describe.each(transitions.map((t) => [t.name, t] as const))('%s', (name, t) => {
  test('changes exactly the expected resources, nothing else', () => {
    expect(t.changes.map(describeChange)).toEqual(EXPECTED[name]);
  });

  test('deletes nothing but the standby route into a detached old writer: an old database (and its log groups) is only forgotten, and kept in AWS', () => {
    const detachedStandby = ['failover', 'failback'].includes(drState(t.after.config));
    expect(t.changes.filter((c) => c.action === 'delete').map((c) => `${c.stack} ${c.address}`)).toEqual(
      detachedStandby ? ['dns-global aws_route53_record.failover_app_standby'] : [],
    );
    for (const c of t.changes.filter((c) => c.action === 'forget')) {
      expect(c.address).toMatch(/^aws_(db_instance|cloudwatch_log_group)\.database_/);
      const removed = (t.after.stacks[c.stack].removed ?? []) as { from: string; lifecycle: unknown }[];
      expect(removed).toContainEqual({ from: c.address, lifecycle: { destroy: false } });
    }
  });

  test('no stateful resource changes address', () => {
    const stateful = /^(aws_s3_bucket|aws_dynamodb_table|aws_ebs_volume|aws_kms_key|aws_route53_zone)\./;
    expect(t.changes.filter((c) => stateful.test(c.address))).toEqual([]);
  });
});

test('a new database incarnation is born as a replica of the active writer, by ARN', () => {
  const reprotected = postures[2].stacks['regional-us-east-2'];
  const replica = reprotected.resource!.aws_db_instance.database_instance_3 as Record<string, unknown>;
  expect(replica.replicate_source_db).toBe(
    'arn:aws:rds:us-west-1:111122223333:db:dr-estate-prod-db-2',
  );
  expect(replica.identifier).toBe('dr-estate-prod-db-3');
});

describe('the primary region is dark: failover deploys read and write only in us-west-1', () => {
  const failover = postures[1];
  // What the pipeline must deploy before the switch is done: all but the best-effort steps.
  const needed = deploySequence(failover.config).filter((s) => !s.bestEffort).map((s) => s.stack);

  test('the failover deploy needs the DR region\'s stacks and the DNS stack, nothing of the primary region', () => {
    expect(needed).toEqual(['regional-us-west-1', 'dns-global']);
  });

  test.each(needed)('%s keeps its state in us-west-1', (name) => {
    const backend = (failover.stacks[name].terraform as { backend: { s3: Record<string, unknown> } }).backend.s3;
    expect(backend).toMatchObject({ bucket: 'dr-estate-prod-tfstate-111122223333-us-west-1', region: 'us-west-1' });
  });

  test.each(needed)('%s configures AWS (and Kubernetes) for us-west-1 only', (name) => {
    const providers = failover.stacks[name].provider as Record<string, Record<string, unknown>[]>;
    expect(providers.aws.map((p) => p.region)).toEqual(['us-west-1']);
    for (const k8s of [...(providers.kubernetes ?? []), ...(providers.helm ?? []).map((h) => h.kubernetes as Record<string, unknown>)]) {
      const exec = (Array.isArray(k8s.exec) ? k8s.exec[0] : k8s.exec) as { args: string[] };
      expect(exec.args.slice(-2)).toEqual(['--region', 'us-west-1']);
    }
  });

  test.each(needed)('%s reads other stacks only from the us-west-1 state bucket', (name) => {
    const remote = (failover.stacks[name].data?.terraform_remote_state ?? {}) as Record<string, { config: Record<string, unknown> }>;
    for (const state of Object.values(remote)) {
      expect(state.config).toMatchObject({ bucket: 'dr-estate-prod-tfstate-111122223333-us-west-1', region: 'us-west-1' });
    }
  });

  test('the DNS stack reads the primary\'s outputs from the replica of its state in us-west-1', () => {
    const remote = failover.stacks['dns-global'].data!.terraform_remote_state as Record<string, { config: Record<string, unknown> }>;
    expect(remote.us_east_2_regional_state.config.key).toBe('prod/regional-us-east-2/terraform.tfstate');
    expect(remote.us_east_2_regional_state.config.bucket).toBe('dr-estate-prod-tfstate-111122223333-us-west-1');
  });

  test('no resource or data source of those stacks names us-east-2 as its region or its source', () => {
    for (const name of needed) {
      const stack: StackJson = failover.stacks[name];
      for (const group of [stack.resource ?? {}, stack.data ?? {}]) {
        for (const [type, byName] of Object.entries(group)) {
          for (const [id, body] of Object.entries(byName)) {
            const b = body as Record<string, unknown>;
            expect([name, type, id, b.region, String(b.replicate_source_db ?? '').includes('us-east-2')]).toEqual([
              name,
              type,
              id,
              undefined,
              false,
            ]);
          }
        }
      }
    }
  });
});

describe('the switch is one edit', () => {
  const normal = postures[0].config;

  test('DR_ACTIVE_REGION alone turns the committed normal config into the failover state', () => {
    const viaEnv = resolveConfig(committedInput, { activeRegionOverride: 'us-west-1' });
    expect(drState(viaEnv)).toBe('failover');
    expect(synthesizedStacks(committedInput, { activeRegionOverride: 'us-west-1' })).toEqual(postures[1].stacks);
  });

  test('the active and passive sites follow activeRegion', () => {
    const sites = (c: EstateConfig) => {
      const { active, passive } = activeAndPassive(c);
      return [active.region, passive.region];
    };
    expect(sites(normal)).toEqual(['us-east-2', 'us-west-1']);
    expect(sites(postures[1].config)).toEqual(['us-west-1', 'us-east-2']);
  });
});
