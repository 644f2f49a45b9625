import { appCapacity, databasePlacement } from '../../config/dr';
import { resolveConfig, sitesOf, type EstateConfig } from '../../config/load';
import { changedIds, postureProblems, type Observation } from '../../scripts/drill/drill';
import { stateNotUnderRegionKey } from '../../scripts/drill/verify';
import { DR_CYCLE, inPosition } from '../helpers';

/*
 * The drill's verdicts, on observations written out by hand: a drill that cannot fail proves
 * nothing, so each way a step can be wrong must be reported.
 */

const failover = resolveConfig(inPosition(DR_CYCLE[1]));
const arn = (region: string, id: string) => `arn:aws:rds:${region}:${failover.accountId}:db:${id}`;

/** What the emulator would hold after a correct failover. */
function correctFailover(config: EstateConfig): Observation {
  const regions: Observation['regions'] = {};
  for (const site of sitesOf(config)) {
    const placement = databasePlacement(config, site);
    regions[site.region] = {
      asg: appCapacity(config, site),
      git: site.region === config.activeRegion ? 'running' : 'stopped',
      databases: [{ identifier: placement.identifier, replicaOf: placement.source ? arn(placement.source.region, placement.source.identifier) : null }],
    };
  }
  const standby = sitesOf(config).find((site) => site.region !== config.activeRegion)!;
  return {
    regions,
    dns: {
      'app.estate.example.org': config.activeRegion,
      ...(databasePlacement(config, standby).kind === 'replica' ? { 'standby app.estate.example.org': standby.region } : {}),
    },
  };
}

test('a failover that reads back as the DR posture says has no problems', () => {
  expect(postureProblems(failover, correctFailover(failover), [])).toEqual([]);
});

test('a failover that scaled the wrong region is reported for both regions', () => {
  const observed = correctFailover(failover);
  const east = observed.regions['us-east-2'];
  const west = observed.regions['us-west-1'];
  const swapped: Observation = { ...observed, regions: { 'us-east-2': { ...east, asg: west.asg }, 'us-west-1': { ...west, asg: east.asg } } };
  const problems = postureProblems(failover, swapped, []);
  expect(problems).toHaveLength(2);
  expect(problems[0]).toMatch(/^us-east-2 \(passive\): app Auto Scaling group is .*, expected/);
  expect(problems[1]).toMatch(/^us-west-1 \(active\): app Auto Scaling group is .*, expected/);
});

test('a promoted database still replicating, a stopped Git server on the active site, and DNS on the old region are each reported', () => {
  const observed = correctFailover(failover);
  const west = observed.regions['us-west-1'];
  const broken: Observation = {
    regions: {
      ...observed.regions,
      'us-west-1': { ...west, git: 'stopped', databases: [{ identifier: 'dr-estate-prod-db-2', replicaOf: arn('us-east-2', 'dr-estate-prod-db-1') }] },
    },
    dns: { 'app.estate.example.org': 'us-east-2' },
  };
  expect(postureProblems(failover, broken, [])).toEqual([
    'us-west-1 (active): Git server is "stopped", expected "running".',
    `us-west-1 (active): database dr-estate-prod-db-2 replicates ${arn('us-east-2', 'dr-estate-prod-db-1')}, expected nothing (a writer).`,
    'DNS: app.estate.example.org serves us-east-2, expected us-west-1.',
  ]);
});

test('a missing database and a retired one still replicating are reported', () => {
  const reprotected = resolveConfig(inPosition(DR_CYCLE[2]));
  const observed = correctFailover(reprotected);
  const east = observed.regions['us-east-2'];
  const broken: Observation = {
    ...observed,
    regions: { ...observed.regions, 'us-east-2': { ...east, databases: [{ identifier: 'dr-estate-prod-db-1', replicaOf: arn('us-west-1', 'dr-estate-prod-db-2') }] } },
  };
  expect(postureProblems(reprotected, broken, [])).toEqual([
    'us-east-2 (passive): database dr-estate-prod-db-3 not found (found dr-estate-prod-db-1).',
    `us-east-2 (passive): retired database dr-estate-prod-db-1 still replicates ${arn('us-west-1', 'dr-estate-prod-db-2')}.`,
  ]);
});

test('a standby route into the detached old writer is reported, and so is a missing one to a replica', () => {
  const observed = correctFailover(failover);
  expect(postureProblems(failover, { ...observed, dns: { ...observed.dns, 'standby app.estate.example.org': 'us-east-2' } }, [])).toEqual([
    'DNS: the standby route of app.estate.example.org leads to us-east-2, expected nothing (the passive database is the detached old writer).',
  ]);
  const reprotected = resolveConfig(inPosition(DR_CYCLE[2]));
  const replicating = correctFailover(reprotected);
  expect(postureProblems(reprotected, { ...replicating, dns: { 'app.estate.example.org': 'us-west-1' } }, [])).toEqual([
    'DNS: the standby route of app.estate.example.org leads to nothing, expected us-east-2.',
  ]);
});

test('a dark region is not judged (nothing was applied there)', () => {
  const observed = correctFailover(failover);
  const east = { ...observed.regions['us-east-2'], asg: { min: 2, desired: 3, max: 3 }, git: 'running' };
  expect(postureProblems(failover, { ...observed, regions: { ...observed.regions, 'us-east-2': east } }, ['us-east-2'])).toEqual([]);
});

test('a stateful id that changed or disappeared is reported; new ones are not', () => {
  expect(changedIds({ 'rds:us-east-2:db-1': 'db-A', 's3:b': 't1' }, { 'rds:us-east-2:db-1': 'db-B', 'rds:us-east-2:db-3': 'db-C' })).toEqual([
    'rds:us-east-2:db-1: db-A -> db-B',
    's3:b: t1 -> gone',
  ]);
});

test('a state object not under its own region\'s storage key is reported: unencrypted, SSE-S3, or another region\'s key', () => {
  const east = 'arn:aws:kms:us-east-2:111122223333:key/1111';
  const west = 'arn:aws:kms:us-west-1:111122223333:key/2222';
  expect(
    stateNotUnderRegionKey([
      { bucket: 'b', key: 'prod/a/terraform.tfstate', sse: 'aws:kms', kmsKeyId: east, regionKey: east },
      { bucket: 'b', key: 'prod/b/terraform.tfstate', sse: 'AES256', kmsKeyId: null, regionKey: east },
      { bucket: 'b', key: 'prod/c/terraform.tfstate', sse: null, kmsKeyId: null, regionKey: east },
      { bucket: 'b', key: 'prod/d/terraform.tfstate', sse: 'aws:kms', kmsKeyId: west, regionKey: east },
      { bucket: 'b', key: 'prod/e/terraform.tfstate', sse: 'aws:kms', kmsKeyId: east, regionKey: null },
    ]),
  ).toEqual([
    `state object s3://b/prod/b/terraform.tfstate is AES256, expected SSE-KMS under its region's storage key ${east}`,
    `state object s3://b/prod/c/terraform.tfstate is unencrypted, expected SSE-KMS under its region's storage key ${east}`,
    `state object s3://b/prod/d/terraform.tfstate is under ${west}, expected SSE-KMS under its region's storage key ${east}`,
    `state object s3://b/prod/e/terraform.tfstate is under ${east}, expected SSE-KMS under its region's storage key (alias missing)`,
  ]);
});
