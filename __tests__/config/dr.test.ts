import { databasePlacement, drState, latestIncarnation, siteIncarnation } from '../../config/dr';
import { resolveConfig } from '../../config/load';
import { afterSafeHistory, problemsOf, withInput } from '../helpers';

const at = (activeRegion: 'us-east-2' | 'us-west-1', reprotects: number) =>
  resolveConfig(afterSafeHistory(activeRegion, reprotects));

describe('database incarnations', () => {
  test('alternate between the sites: odd on the primary site, even on the DR site', () => {
    expect([0, 1, 2, 3].map((r) => latestIncarnation(at('us-east-2', r)))).toEqual([2, 3, 4, 5]);
    expect([0, 1, 2, 3].map((r) => siteIncarnation(at('us-east-2', r), 'primary'))).toEqual([1, 3, 3, 5]);
    expect([0, 1, 2, 3].map((r) => siteIncarnation(at('us-east-2', r), 'dr'))).toEqual([2, 2, 4, 4]);
  });

  test('normal: the primary writes incarnation 1; the DR site replicates it as incarnation 2', () => {
    const c = at('us-east-2', 0);
    expect(databasePlacement(c, c.primary)).toEqual({
      incarnation: 1,
      identifier: 'dr-estate-prod-db-1',
      kind: 'primary',
      detached: false,
      retiredIncarnation: undefined,
    });
    expect(databasePlacement(c, c.dr)).toEqual({
      incarnation: 2,
      identifier: 'dr-estate-prod-db-2',
      kind: 'replica',
      detached: false,
      source: { region: 'us-east-2', identifier: 'dr-estate-prod-db-1' },
      retiredIncarnation: undefined,
    });
  });

  test('failover: the DR replica is promoted; the old primary is detached, untouched', () => {
    const c = at('us-west-1', 0);
    expect(databasePlacement(c, c.dr)).toMatchObject({ incarnation: 2, kind: 'promoted', detached: false });
    expect(databasePlacement(c, c.primary)).toMatchObject({ incarnation: 1, kind: 'primary', detached: true });
  });

  test('reprotected: the primary site gets incarnation 3, a replica of 2, and retires 1', () => {
    const c = at('us-west-1', 1);
    expect(databasePlacement(c, c.primary)).toEqual({
      incarnation: 3,
      identifier: 'dr-estate-prod-db-3',
      kind: 'replica',
      detached: false,
      source: { region: 'us-west-1', identifier: 'dr-estate-prod-db-2' },
      retiredIncarnation: 1,
    });
  });

  test('the states of a full cycle', () => {
    expect([
      drState(at('us-east-2', 0)),
      drState(at('us-west-1', 0)),
      drState(at('us-west-1', 1)),
      drState(at('us-east-2', 1)),
      drState(at('us-east-2', 2)),
    ]).toEqual(['normal', 'failover', 'reprotected', 'failback', 'normal']);
  });
});

describe('DR config validation', () => {
  const problems = (input: unknown) => problemsOf(input);

  test('fails if reprotects is negative', () => {
    expect(problems(withInput({ reprotects: -1 }))).toEqual(['reprotects is -1, expected a whole number of reprotects, 0 or more.']);
  });

  test('fails if the health check interval is not one Route 53 offers', () => {
    expect(problems(withInput({ drPlan: { healthCheckIntervalSeconds: 15 as never } }))).toEqual([
      'drPlan.healthCheckIntervalSeconds is 15, expected 10 or 30 (the intervals Route 53 health checks offer).',
    ]);
  });
});
