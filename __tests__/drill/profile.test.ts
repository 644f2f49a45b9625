import {
  backendConfigFile,
  drillOverride,
  drillTargets,
  excludedResources,
  EMULATED_SERVICES,
  IGNORED_READS,
  SETTINGS,
  type StackJson,
} from '../../scripts/drill/profile';
import { drillEnvironment } from '../../scripts/drill/terraform';
import { DR_CYCLE, inPosture, synthesizedStacks } from '../helpers';

/*
 * The emulator profile changes where calls go and what is tolerated on read-back, never what
 * the drill asserts; and nothing it configures can reach beyond loopback.
 */

const stacks = synthesizedStacks(inPosture(DR_CYCLE[0])) as Record<string, StackJson>;
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
  const dr = stacks['dr-global'];
  const override = drillOverride(dr, { emulator, dark: { regions: ['us-west-1'], endpoint: closed } }) as Record<string, any>;
  expect(Object.values(override.provider.aws[0].endpoints[0])).toEqual(EMULATED_SERVICES.map(() => closed));
  for (const [name, state] of Object.entries(override.data.terraform_remote_state as Record<string, any>)) {
    const original = (dr.data!.terraform_remote_state[name] as { config: Record<string, unknown> }).config;
    expect(state.config).toMatchObject(original);
    expect(state.config.endpoints.s3).toBe(original.region === 'us-west-1' ? closed : emulator);
  }
});

test('nothing the drill asserts is ignored or set differently', () => {
  const asserted = ['desired_capacity', 'min_size', 'max_size', 'state', 'replicate_source_db', 'identifier', 'alias', 'failover_routing_policy', 'records'];
  for (const rule of [...IGNORED_READS.flatMap((r) => r.attributes), ...SETTINGS.flatMap((s) => Object.keys(s.values))]) {
    expect(asserted).not.toContain(rule);
  }
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
  expect(drillTargets(stacks['dr-global'])).toEqual([]);
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
});
