import { sitePosture } from '../../config/dr';
import { resourcesOfType, synthesizeCycle } from './postures';

/*
 * Route 53 rules the estate relies on, each checked in every posture of a full DR cycle.
 */

const cycle = synthesizeCycle();
const records = (p: (typeof cycle)[number]) => resourcesOfType(p, 'aws_route53_record');
const failoverType = (r: Record<string, any>): string | undefined => r.failover_routing_policy?.type;

describe.each(cycle)('$label', (posture) => {
  // Route 53 Developer Guide, "Values specific for failover records" (Health check): a
  // non-alias PRIMARY failover record must be associated with a health check; the API answers
  // InvalidChangeBatch otherwise.
  test('Route 53: every non-alias PRIMARY failover record has a health check', () => {
    const offending = records(posture)
      .filter(([, r]) => failoverType(r) === 'PRIMARY' && !r.alias && !r.health_check_id)
      .map(([address]) => address);
    expect(offending).toEqual([]);
  });

  // Route 53 Developer Guide, "Failover routing" and "Active-active and active-passive failover":
  // a failover group is one PRIMARY record and at most one SECONDARY of the same name and type
  // (Route 53 answers with the secondary only while the primary is unhealthy). The estate drops
  // the SECONDARY while the standby holds the detached old writer (config/dr.ts routable).
  test('Route 53: each failover name has exactly one PRIMARY record, and a SECONDARY of the same type exactly while the standby is routable', () => {
    const groups = new Map<string, string[]>();
    for (const [, r] of records(posture).filter(([, r]) => failoverType(r))) {
      const key = `${r.name} ${r.type}`;
      groups.set(key, [...(groups.get(key) ?? []), failoverType(r)!]);
    }
    expect(groups.size).toBeGreaterThan(0);
    const config = posture.config;
    const standby = [config.primary, config.dr].find((s) => !sitePosture(config, s).serves)!;
    const expected = sitePosture(config, standby).routable ? ['PRIMARY', 'SECONDARY'] : ['PRIMARY'];
    for (const types of groups.values()) expect(types.sort()).toEqual(expected);
  });
});

// Route 53 API Reference, ChangeResourceRecordSets: the provider sends each aws_route53_record
// as its own change batch (terraform-provider-aws, internal/service/route53/record.go), so a
// switch that flipped two records' failover types in place would pass through two PRIMARY (or
// two SECONDARY) records for one name. A record's type is therefore fixed for its life.
test('Route 53: no failover record changes its failover type between postures', () => {
  const typesByAddress = new Map<string, Set<string>>();
  for (const posture of cycle) {
    for (const [address, r] of records(posture)) {
      const type = failoverType(r);
      if (!type) continue;
      typesByAddress.set(address, new Set([...(typesByAddress.get(address) ?? []), type]));
    }
  }
  expect(typesByAddress.size).toBeGreaterThan(0);
  const flipping = [...typesByAddress].filter(([, types]) => types.size > 1).map(([address]) => address);
  expect(flipping).toEqual([]);
});

test('the switch repoints the PRIMARY app record at the active region', () => {
  const activeAlias = (i: number) =>
    records(cycle[i]).find(([address]) => address.endsWith('aws_route53_record.failover_app_active'))![1].alias.name;
  expect(activeAlias(0)).toContain('us_east_2_regional_state');
  expect(activeAlias(1)).toContain('us_west_1_regional_state');
  expect(activeAlias(3)).toContain('us_east_2_regional_state');
});
