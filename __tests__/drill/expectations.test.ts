import { appCapacity, databasePlacement, sitePosture, type DrCycleStep } from '../../config/dr';
import { resolveConfig, sitesOf, type EstateConfig } from '../../config/load';
import type { Observation } from '../../scripts/drill/checks';
import { EXPECTED, expectationProblems, expectationsMismatch, unexpectedIds } from '../../scripts/drill/expectations';
import { committedInput, DR_CYCLE, inPosition } from '../helpers';

/*
 * The drill's hand-written expectations: they agree with the DR model on the committed config
 * (so the drill passes a correct estate), and they are independent of it: an estate built from
 * a broken model, read back, is reported even where the model's own verdict would pass it.
 */

const STEPS: readonly DrCycleStep[] = ['normal', 'failover', 'reprotect', 'failback', 'normal-again'];
const arn = (config: EstateConfig, region: string, id: string) => `arn:aws:rds:${region}:${config.accountId}:db:${id}`;

/** What the emulator holds after a step applied as the model says (the failover leaves us-east-2 as it was). */
function readBack(stepIndex: number, capacity = appCapacity): Observation {
  const config = resolveConfig(inPosition(DR_CYCLE[stepIndex]));
  const before = stepIndex > 0 ? readBack(stepIndex - 1, capacity) : undefined;
  const regions: Record<string, Observation['regions'][string]> = {};
  const records: { failover: 'PRIMARY' | 'SECONDARY'; setIdentifier: string; region: string; healthCheck: string }[] = [];
  for (const site of sitesOf(config)) {
    if (STEPS[stepIndex] === 'failover' && site.region === config.primary.region) {
      regions[site.region] = before!.regions[site.region];
      continue;
    }
    const placement = databasePlacement(config, site);
    const previous = before?.regions[site.region]?.databases.filter((d) => d.identifier !== placement.identifier).map((d) => ({ ...d, replicaOf: null })) ?? [];
    const retired = placement.retiredIncarnation ? [{ identifier: `dr-estate-prod-db-${placement.retiredIncarnation}`, replicaOf: null }] : [];
    const kept = [...previous, ...retired].filter((d, i, all) => all.findIndex((o) => o.identifier === d.identifier) === i);
    regions[site.region] = {
      asg: capacity(config, site),
      git: sitePosture(config, site).gitServer,
      databases: [...kept, { identifier: placement.identifier, replicaOf: placement.source ? arn(config, placement.source.region, placement.source.identifier) : null }].sort((a, b) => a.identifier.localeCompare(b.identifier)),
      launchTemplate: { version: '2', versionNumber: 2, latest: 2, database: placement.identifier },
    };
  }
  records.push({ failover: 'PRIMARY', setIdentifier: 'active', region: config.activeRegion, healthCheck: config.activeRegion });
  const passive = sitesOf(config).find((s) => s.region !== config.activeRegion)!;
  if (sitePosture(config, passive).routable) records.push({ failover: 'SECONDARY', setIdentifier: 'standby', region: passive.region, healthCheck: passive.region });
  return { regions, dns: {}, failover: { 'app.estate.example.org': records } };
}

test.each(STEPS.map((step, i) => [step, i] as const))('%s: the estate applied as the DR model says meets the hand-written expectations', (step, i) => {
  expect(expectationProblems(step, readBack(i))).toEqual([]);
});

test('an estate built from a model that sizes the active site like the passive one is reported at every step', () => {
  const passiveEverywhere = (config: EstateConfig) => ({ min: config.appTier.passiveDesiredCapacity, desired: config.appTier.passiveDesiredCapacity, max: config.appTier.maxSize });
  for (const [i, step] of STEPS.entries()) {
    const problems = expectationProblems(step, readBack(i, passiveEverywhere));
    expect(problems.some((p) => /app group is \{"min":0,"desired":0,"max":3\}, not \{"min":2,"desired":3,"max":3\}/.test(p))).toBe(true);
  }
});

test('a replica left unpromoted, a second writer, an app on an old template or naming the old database are each reported', () => {
  const observed = readBack(1);
  const west = observed.regions['us-west-1'];
  const broken: Observation = {
    ...observed,
    regions: {
      ...observed.regions,
      'us-west-1': {
        ...west,
        databases: [
          { identifier: 'dr-estate-prod-db-2', replicaOf: 'arn:aws:rds:us-east-2:111122223333:db:dr-estate-prod-db-1' },
          { identifier: 'dr-estate-prod-db-9', replicaOf: null },
        ],
        launchTemplate: { version: '1', versionNumber: 1, latest: 2, database: 'dr-estate-prod-db-1' },
      },
    },
  };
  expect(expectationProblems('failover', broken)).toEqual([
    'expected by hand (failover): us-west-1 database dr-estate-prod-db-2 replicates arn:aws:rds:us-east-2:111122223333:db:dr-estate-prod-db-1, not nothing (a writer).',
    'expected by hand (failover): us-west-1 has a database nobody expects: dr-estate-prod-db-9 (a writer).',
    'expected by hand (failover): us-west-1 app group launches version 1 of its template, not the latest (2).',
    'expected by hand (failover): us-west-1 app launch template names database dr-estate-prod-db-1, not dr-estate-prod-db-2.',
  ]);
});

test('the dark region must read as it was: a failover that touched us-east-2 is reported', () => {
  const observed = readBack(1);
  const touched: Observation = { ...observed, regions: { ...observed.regions, 'us-east-2': { ...observed.regions['us-east-2'], git: 'stopped' } } };
  expect(expectationProblems('failover', touched)).toEqual(['expected by hand (failover): us-east-2 Git server is "stopped", not running.']);
});

test('a duplicate PRIMARY, a SECONDARY where none belongs, a health check on the wrong load balancer are each reported', () => {
  const observed = readBack(3);
  const app = 'app.estate.example.org';
  const records = observed.failover![app];
  const broken: Observation = {
    ...observed,
    failover: {
      [app]: [
        { ...records[0], healthCheck: 'us-west-1' },
        { failover: 'PRIMARY', setIdentifier: 'other', region: 'us-west-1', healthCheck: 'us-west-1' },
        { failover: 'SECONDARY', setIdentifier: 'standby', region: 'us-west-1', healthCheck: 'us-west-1' },
      ],
    },
  };
  expect(expectationProblems('failback', broken)).toEqual([
    `expected by hand (failback): ${app} has 2 PRIMARY records (to us-east-2, us-west-1), expected one to us-east-2.`,
    `expected by hand (failback): ${app} PRIMARY's health check probes us-west-1, not us-east-2's load balancer.`,
    `expected by hand (failback): ${app} PRIMARY leads to us-west-1, not us-east-2.`,
    `expected by hand (failback): ${app} PRIMARY's health check probes us-west-1, not us-east-2's load balancer.`,
    `expected by hand (failback): ${app} has 1 SECONDARY record(s) (to us-west-1), expected none.`,
  ]);
});

test('new stateful resources are allowed only where the step creates a database: a second writer is reported', () => {
  const before = { 'rds:us-east-2:dr-estate-prod-db-1': 'db-A' };
  const after = {
    ...before,
    'rds:us-east-2:dr-estate-prod-db-3': 'db-C',
    'logs:us-east-2:/aws/rds/instance/dr-estate-prod-db-3/postgresql': 'arn',
    'rds:us-west-1:dr-estate-prod-db-99': 'db-R',
  };
  expect(unexpectedIds('reprotect', before, after)).toEqual(['a stateful resource the step was not expected to create: rds:us-west-1:dr-estate-prod-db-99 (db-R)']);
  expect(unexpectedIds('failover', before, after)).toHaveLength(3);
  expect(unexpectedIds('normal', before, after)).toEqual([]);
  expect(EXPECTED.normal.creates).toBe('everything');
});

test('the expectations refuse a config they were not written for, naming both', () => {
  expect(expectationsMismatch(resolveConfig(committedInput))).toBeNull();
  const changed = resolveConfig({ ...committedInput, appTier: { ...committedInput.appTier, desiredCapacity: 2 } });
  expect(expectationsMismatch(changed)).toMatch(/^the drill's hand-written expectations \(scripts\/drill\/expectations\.ts\) are for .*"desiredCapacity":3.*, the config is .*"desiredCapacity":2.*: write them again for this config\.$/);
});
