import { committedInput, synthEstate, type SynthesizedStack } from '../helpers';

const normal = synthEstate();
const failover = synthEstate(committedInput, { activeRegionOverride: 'us-west-1' });

/** `type -> count` of the resources under the workload constructs (app, database, git). */
function workloadShape(stack: SynthesizedStack): Record<string, number> {
  const shape: Record<string, number> = {};
  for (const [type, byId] of Object.entries(stack.json.resource)) {
    for (const id of Object.keys(byId)) {
      // The master secret is one for both regions by design: owned by the primary site's
      // stack and replicated (its own test is in constructs/database.test.ts).
      if (/^database_credentials_/.test(id)) continue;
      // So is the ACM validation record both regions' certificates share (app-tier.test.ts).
      if (id === 'app_certificate_validation_record') continue;
      if (/^(app|database|git)_/.test(id)) shape[type] = (shape[type] ?? 0) + 1;
    }
  }
  return shape;
}

describe.each([
  ['normal', normal],
  ['failover', failover],
] as const)('%s posture', (_label, estate) => {
  test('both regions run the same workload: same resource types, same counts', () => {
    const primary = workloadShape(estate.byName['regional-us-east-2']);
    const dr = workloadShape(estate.byName['regional-us-west-1']);
    expect(Object.keys(primary).length).toBeGreaterThan(15);
    expect(dr).toEqual(primary);
  });
});

test('the shape is also identical across postures (a failover adds or removes nothing)', () => {
  for (const name of ['regional-us-east-2', 'regional-us-west-1']) {
    expect(workloadShape(failover.byName[name])).toEqual(workloadShape(normal.byName[name]));
  }
});

describe.each(['regional-us-east-2', 'regional-us-west-1'])('%s outputs', (name) => {
  const outputs = normal.byName[name].json.output ?? {};

  test('expose what the DR switch needs, each described', () => {
    const expected: Record<string, string> = {
      app_alb_dns_name: '${aws_lb.app_alb.dns_name}',
      app_alb_zone_id: '${aws_lb.app_alb.zone_id}',
      app_asg_name: '${aws_autoscaling_group.app_asg.name}',
      git_instance_id: '${aws_instance.git_instance.id}',
      database_identifier: `\${aws_db_instance.database_instance_${name.endsWith('us-east-2') ? 1 : 2}.identifier}`,
      database_arn: `\${aws_db_instance.database_instance_${name.endsWith('us-east-2') ? 1 : 2}.arn}`,
    };
    for (const [id, value] of Object.entries(expected)) {
      expect([id, outputs[id]?.value]).toEqual([id, value]);
    }
    for (const [id, output] of Object.entries(outputs)) {
      expect([id, typeof output.description]).toEqual([id, 'string']);
    }
  });

  test('no output exposes a secret: no value reads a password, a secret string or an ephemeral value', () => {
    const values = JSON.stringify(Object.values(outputs).map((o) => o.value));
    expect(values).not.toMatch(/password|secret_string|ephemeral\./);
  });
});

test('the stacks expose the workload as typed attributes', () => {
  const stack = normal.stacks.regional.dr;
  expect(stack.appTier.albDnsName).toMatch(/TOKEN/);
  expect(stack.database.identifier).toBe('dr-estate-prod-db-2');
  expect(stack.appTier.protocol).toBe('HTTPS');
  expect(stack.gitServer.instanceId).toMatch(/TOKEN/);
});
