import { replicaReads } from '../../scripts/deploy/replica';
import { synthEstate } from '../helpers';

/*
 * Which states a plan reads from a replica (scripts/deploy/replica.ts): the DNS stack reads the
 * primary's regional and monitoring states from the DR bucket, written there by asynchronous S3
 * replication; a plan of it first waits for those replicas (__tests__/deploy/deploy.command.test.ts).
 */

const texts = Object.fromEntries(Object.entries(synthEstate().byName).map(([name, s]) => [name, s.text]));

test('the DNS stack reads the primary region\'s states from the DR bucket\'s replicas, and its own region\'s where they are written', () => {
  const reads = replicaReads(texts, ['dns-global']);
  expect(reads.map((r) => [r.stack, r.source.bucket, r.replica.bucket])).toEqual([
    ['monitoring-us-east-2', 'dr-estate-prod-tfstate-111122223333-us-east-2', 'dr-estate-prod-tfstate-111122223333-us-west-1'],
    ['regional-us-east-2', 'dr-estate-prod-tfstate-111122223333-us-east-2', 'dr-estate-prod-tfstate-111122223333-us-west-1'],
  ]);
  // The source is read with the writer's own backend (its region, key and lock table).
  expect(reads[1].source).toMatchObject({ key: 'prod/regional-us-east-2/terraform.tfstate', region: 'us-east-2' });
});

test('the regional and monitoring stacks read no replica', () => {
  expect(replicaReads(texts, ['regional-us-east-2', 'regional-us-west-1', 'monitoring-us-east-2', 'monitoring-us-west-1'])).toEqual([]);
});
