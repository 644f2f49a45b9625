import {
  backendConfigFile,
  drillOverride,
  drillTargets,
  excludedResources,
  EMULATED_SERVICES,
  type StackJson,
} from '../../scripts/drill/profile';
import { drillEnvironment } from '../../scripts/drill/terraform';
import { DR_CYCLE, inPosition, synthesizedStacks } from '../helpers';

/*
 * The emulator profile changes where calls go and what is tolerated on read-back, never what
 * the drill asserts; and nothing it configures can reach beyond loopback.
 */

const stacks = synthesizedStacks(inPosition(DR_CYCLE[0])) as Record<string, StackJson>;
const regional = stacks['regional-us-east-2'];
const emulator = 'http://127.0.0.1:4566';
const closed = 'http://127.0.0.1:4567';

test('every AWS provider block keeps its region, tags and account guard, and calls only the emulator', () => {
  const override = drillOverride(regional, { emulator }) as { provider: { aws: Record<string, any>[] } };
  expect(override.provider.aws).toHaveLength(regional.provider!.aws.length);
  for (const block of override.provider.aws) {
    expect(block).not.toHaveProperty('region');
    expect(block).not.toHaveProperty('default_tags');
    expect(block).not.toHaveProperty('allowed_account_ids');
    expect(block).not.toHaveProperty('skip_requesting_account_id');
    expect(Object.keys(block.endpoints[0]).sort()).toEqual([...EMULATED_SERVICES].sort());
    expect(new Set(Object.values(block.endpoints[0]))).toEqual(new Set([emulator]));
  }
});

test('a dark region\'s provider blocks and remote states call the closed port, the others the emulator', () => {
  const dr = stacks['dns-global'];
  const override = drillOverride(dr, { emulator, dark: { regions: ['us-west-1'], endpoint: closed } }) as Record<string, any>;
  expect(Object.values(override.provider.aws[0].endpoints[0])).toEqual(EMULATED_SERVICES.map(() => closed));
  for (const [name, state] of Object.entries(override.data.terraform_remote_state as Record<string, any>)) {
    const original = (dr.data!.terraform_remote_state[name] as { config: Record<string, unknown> }).config;
    expect(state.config).toMatchObject(original);
    expect(state.config.endpoints.s3).toBe(original.region === 'us-west-1' ? closed : emulator);
  }
});

/**
 * What the drill reads back and judges, per resource type: its posture checks, the hand-written
 * expectations, the replication it carries out per the rule read back, and its mutations.
 */
const ASSERTED: Readonly<Record<string, readonly string[]>> = {
  aws_autoscaling_group: ['desired_capacity', 'min_size', 'max_size', 'launch_template', 'name'],
  aws_launch_template: ['user_data'],
  aws_ec2_instance_state: ['state'],
  aws_instance: ['tags'],
  aws_db_instance: ['identifier', 'replicate_source_db', 'backup_retention_period', 'deletion_protection'],
  aws_route53_record: ['name', 'alias', 'failover_routing_policy', 'set_identifier', 'health_check_id', 'records'],
  aws_route53_health_check: ['fqdn'],
  aws_s3_bucket_replication_configuration: ['rule'],
  aws_s3_bucket_server_side_encryption_configuration: ['rule'],
  aws_dynamodb_table: ['name', 'hash_key'],
  aws_kms_alias: ['name', 'target_key_id'],
};

/** One attribute path covers another when they are equal or one is inside the other. */
const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);

test.each(DR_CYCLE.map((p) => [p.label, p] as const))('%s: nothing the drill judges is excluded, left out, ignored or set differently', (_label, posture) => {
  const all = synthesizedStacks(inPosition(posture)) as Record<string, StackJson>;
  const touched: string[] = [];
  let judged = 0;
  for (const [stack, json] of Object.entries(all)) {
    const targets = drillTargets(json);
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      const asserted = ASSERTED[type];
      if (!asserted) continue;
      for (const [name, body] of Object.entries(byName)) {
        judged += 1;
        const address = `${type}.${name}`;
        if (targets.length && !targets.includes(address)) touched.push(`${stack} ${address}: not applied`);
        const override = (drillOverride(json, { emulator }) as { resource?: Record<string, Record<string, { lifecycle?: { ignore_changes?: string[] } } & Record<string, unknown>>> }).resource?.[type]?.[name];
        const own = ((body.lifecycle as { ignore_changes?: string[] } | undefined)?.ignore_changes ?? []);
        const ignored = (override?.lifecycle?.ignore_changes ?? []).filter((a) => !own.includes(a));
        const set = Object.keys(override ?? {}).filter((k) => k !== 'lifecycle');
        for (const attribute of asserted) {
          for (const other of [...ignored, ...set]) if (overlaps(attribute, other)) touched.push(`${stack} ${address}: ${attribute} (profile: ${other})`);
        }
      }
    }
  }
  expect(judged).toBeGreaterThan(20);
  expect(touched).toEqual([]);
});

test('the check above catches a profile that ignores what the drill judges', () => {
  const json = regional;
  const override = drillOverride(json, { emulator }) as { resource: Record<string, Record<string, { lifecycle?: { ignore_changes?: string[] } }>> };
  const asg = override.resource.aws_autoscaling_group.app_asg.lifecycle!.ignore_changes!;
  expect(asg.some((a) => ASSERTED.aws_autoscaling_group.some((b) => overlaps(a, b)))).toBe(false);
  expect(overlaps('launch_template', 'launch_template')).toBe(true);
  expect(overlaps('rule', 'rule[0].destination')).toBe(true);
  expect(overlaps('rule[0].delete_marker_replication', 'rule[0].destination')).toBe(false);
});

test('an ignored read keeps the resource\'s own ignore_changes', () => {
  const override = drillOverride(regional, { emulator }) as { resource: Record<string, Record<string, any>> };
  const git = override.resource.aws_instance.git_instance;
  expect(git.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['ami', 'associate_public_ip_address']));
  expect(override.resource.aws_autoscaling_group.app_asg.wait_for_capacity_timeout).toBe('0');
});

test('excluded resources and what depends on them are left out of the targets, everything else is in', () => {
  const excluded = [...excludedResources(regional).keys()];
  expect(excluded).toEqual(
    expect.arrayContaining(['aws_eks_access_entry.eks_admin_0', 'aws_eks_addon.eks_addon_vpc_cni', 'aws_vpc_security_group_ingress_rule.git_metrics_from_eks']),
  );
  const targets = drillTargets(regional);
  expect(targets).not.toContain('aws_eks_access_policy_association.eks_admin_0_policy');
  expect(targets).toContain('aws_db_instance.database_instance_1');
  expect(targets).toContain('aws_autoscaling_group.app_asg');
  const all = Object.entries(regional.resource!).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));
  expect(targets.length + excluded.length).toBe(all.length);
  expect(drillTargets(stacks['dns-global'])).toEqual([]);
});

test('the backend settings point state and locks at the emulator, and write no credentials: each command signs as the role it runs as', () => {
  const file = backendConfigFile(emulator);
  expect(file).toContain(`s3 = "${emulator}"`);
  expect(file).toContain(`dynamodb = "${emulator}"`);
  expect(file).not.toMatch(/access_key|secret_key/);
  expect(file).toContain('use_path_style = true');
});

test('the drill environment drops the caller\'s AWS settings and sends every non-loopback request to a closed port', () => {
  const env = drillEnvironment({ PATH: '/bin', AWS_PROFILE: 'prod', AWS_ACCESS_KEY_ID: 'AKIAREAL', HTTPS_PROXY: 'http://proxy:3128', TF_VAR_x: '1' }, emulator, closed);
  expect(env.AWS_PROFILE).toBeUndefined();
  expect(env.TF_VAR_x).toBeUndefined();
  expect(env.AWS_ACCESS_KEY_ID).toBe('drill');
  expect(env.AWS_ENDPOINT_URL).toBe(emulator);
  expect([env.HTTP_PROXY, env.HTTPS_PROXY]).toEqual([closed, closed]);
  expect(env.NO_PROXY).toBe('127.0.0.1,localhost');
  expect(env.PATH).toBe('/bin');
  // The drill's own: a service the override files do not list reaches the closed port, not the emulator.
  expect(drillEnvironment({ PATH: '/bin' }, emulator, closed, 'closed').AWS_ENDPOINT_URL).toBe(closed);
});
