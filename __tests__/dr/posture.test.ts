import { drCycle, drState, sitePosture } from '../../config/dr';
import { resolveConfig } from '../../config/load';
import type { AwsRegion } from '../../config/regions';
import type { EstateConfigInput } from '../../config/schema';
import { committedInput, synthesizedStacks, type TerraformJson } from '../helpers';

/*
 * The DR posture, table-driven from its one policy (config/dr.ts sitePosture): in every state of
 * a full cycle, each site's synthesized stacks run what the policy says (app sizes, Git server
 * state, database incarnation and replication, which region the failover records serve). Run
 * for the committed region pair and for a different pair, given by config alone: a region pair
 * is a config change, with no code change.
 */

const PAIRS: readonly { label: string; primary: AwsRegion; dr: AwsRegion }[] = [
  { label: 'us-east-2 / us-west-1 (committed)', primary: 'us-east-2', dr: 'us-west-1' },
  { label: 'eu-west-1 / eu-central-1', primary: 'eu-west-1', dr: 'eu-central-1' },
];

/** The committed config with its sites moved to another region pair (CIDRs and AZ counts kept). */
function onPair(primary: AwsRegion, dr: AwsRegion): EstateConfigInput {
  return { ...committedInput, primary: { ...committedInput.primary, region: primary }, dr: { ...committedInput.dr, region: dr } };
}

const remoteState = (region: string, kind: 'regional' | 'monitoring') => `${region.replace(/-/g, '_')}_${kind}_state`;

describe.each(PAIRS)('$label', ({ primary, dr }) => {
  const pair = onPair(primary, dr);
  const cycle = drCycle(primary, dr).map(({ step, position }) => {
    const input = { ...pair, ...position };
    return { step, config: resolveConfig(input), stacks: synthesizedStacks(input) };
  });

  test('every stack is named for its region, and its state and provider stay in it (the DNS stack: the DR region)', () => {
    const { stacks } = cycle[0];
    expect(Object.keys(stacks).sort()).toEqual(
      ['dns-global', ...[primary, dr].flatMap((r) => [`bootstrap-${r}`, `regional-${r}`, `monitoring-${r}`])].sort(),
    );
    for (const [name, json] of Object.entries(stacks)) {
      const region = name === 'dns-global' ? dr : name.replace(/^[a-z]+-/, '');
      const backend = json.terraform.backend?.s3;
      if (backend) expect([name, backend.region, backend.bucket]).toEqual([name, region, expect.stringMatching(new RegExp(`-${region}$`))]);
      for (const provider of json.provider.aws ?? []) expect([name, provider.region]).toEqual([name, region]);
    }
  });

  test('no other region appears anywhere in the synthesized stacks', () => {
    const others = ['us-east-2', 'us-west-1', 'eu-west-1', 'eu-central-1'].filter((r) => r !== primary && r !== dr);
    for (const { stacks } of cycle) {
      const text = JSON.stringify(stacks);
      for (const other of others) expect([other, text.includes(other)]).toEqual([other, false]);
    }
  });

  test('the cycle goes normal, failover, reprotected, failback, normal', () => {
    expect(cycle.map((c) => drState(c.config))).toEqual(['normal', 'failover', 'reprotected', 'failback', 'normal']);
  });

  describe.each(drCycle(primary, dr).map(({ step }, i) => [step, i] as const))('%s', (_step, i) => {
    const { config, stacks } = cycle[i];

    test.each([primary, dr])('%s runs what its posture says', (region) => {
      const site = region === primary ? config.primary : config.dr;
      const posture = sitePosture(config, site);
      const regional = stacks[`regional-${region}`];
      const asg = regional.resource.aws_autoscaling_group.app_asg;
      expect([asg.min_size, asg.desired_capacity, asg.max_size]).toEqual([posture.app.min, posture.app.desired, posture.app.max]);
      expect(regional.resource.aws_ec2_instance_state.git_state.state).toBe(posture.gitServer);
      const databases = Object.values(regional.resource.aws_db_instance) as Record<string, unknown>[];
      expect(databases.map((d) => d.identifier)).toEqual([posture.database.identifier]);
      const source = posture.database.source;
      expect(databases[0].replicate_source_db).toEqual(
        source ? `arn:aws:rds:${source.region}:111122223333:db:${source.identifier}` : undefined,
      );
    });

    test('the active record serves the serving site; the standby record the other only while its database is a replica: no route reaches a detached old writer', () => {
      const serving = [config.primary, config.dr].find((s) => sitePosture(config, s).serves)!;
      const standby = serving === config.primary ? config.dr : config.primary;
      const records = (stacks['dns-global'] as TerraformJson).resource.aws_route53_record;
      expect(records.failover_app_active.alias).toMatchObject({ name: expect.stringContaining(remoteState(serving.region, 'regional')) });
      expect(records.failover_app_active.failover_routing_policy).toEqual({ type: 'PRIMARY' });
      const detached = sitePosture(config, standby).database.detached;
      // Failover and failback hold the detached old writer on the passive site: no record at all.
      expect([drState(config), detached]).toEqual([drState(config), ['failover', 'failback'].includes(drState(config))]);
      if (detached) {
        expect(records).not.toHaveProperty('failover_app_standby');
        const aliases = Object.values(records).map((r) => JSON.stringify((r as { alias?: unknown }).alias ?? null));
        expect(aliases.filter((a) => a.includes(remoteState(standby.region, 'regional')))).toEqual([]);
      } else {
        expect(records.failover_app_standby.alias).toMatchObject({ name: expect.stringContaining(remoteState(standby.region, 'regional')) });
        expect(records.failover_app_standby.failover_routing_policy).toEqual({ type: 'SECONDARY' });
      }
      expect(records.failover_monitoring.records).toEqual([expect.stringContaining(remoteState(serving.region, 'monitoring'))]);
    });
  });
});
