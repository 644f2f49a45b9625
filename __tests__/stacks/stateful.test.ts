import { STATEFUL_RESOURCE_TYPES } from '../../constructs/stateful';
import { committedInput, synthEstate, type SynthesizedStack } from '../helpers';

/*
 * The contract for data that must survive: every stateful resource, in every stack and
 * posture, sits at a pinned Terraform address and carries prevent_destroy. Renaming a
 * construct id, or adding a stateful resource without listing it here, fails this file.
 */

const STATEFUL_TYPES = STATEFUL_RESOURCE_TYPES;

/** Pinned addresses per stack kind; `<site db>` is the site's database incarnation address. */
const PINNED: Record<string, (site: 'primary' | 'dr') => string[]> = {
  bootstrap: () => [
    'aws_dynamodb_table.state_lock_table',
    'aws_kms_key.storage_key_key',
    'aws_s3_bucket.access_logs_bucket',
    'aws_s3_bucket.git_backups_bucket',
    'aws_s3_bucket.state_bucket',
  ],
  regional: (site) => [
    `aws_db_instance.database_instance_${site === 'primary' ? 1 : 2}`,
    'aws_ebs_volume.git_data_volume',
    'aws_kms_key.alerts_key',
    'aws_kms_key.database_key',
    'aws_kms_key.eks_secrets_key',
    'aws_kms_key.logs_key_key',
    ...(site === 'primary' ? ['aws_secretsmanager_secret.database_credentials_secret'] : []),
  ],
  monitoring: () => ['aws_secretsmanager_secret.monitoring_grafana_admin_copy'],
  dns: () => [],
};

const postures = {
  normal: synthEstate(),
  failover: synthEstate(committedInput, { activeRegionOverride: 'us-west-1' }),
};

function statefulAddresses(stack: SynthesizedStack): string[] {
  return STATEFUL_TYPES.flatMap((type) =>
    Object.keys(stack.json.resource[type] ?? {}).map((id) => `${type}.${id}`),
  ).sort();
}

describe.each(Object.entries(postures))('%s posture', (_posture, estate) => {
  describe.each(Object.values(estate.byName).map((s) => [s.name, s] as const))('%s', (name, stack) => {
    test('stateful resources sit at their pinned addresses', () => {
      const site = name.endsWith('us-east-2') ? 'primary' : 'dr';
      expect(statefulAddresses(stack)).toEqual(PINNED[name.split('-')[0]](site));
    });

    test('every stateful resource has prevent_destroy', () => {
      for (const address of statefulAddresses(stack)) {
        const [type, id] = address.split('.');
        expect([address, (stack.json.resource[type][id] as any).lifecycle?.prevent_destroy]).toEqual([address, true]);
      }
    });
  });
});

test('the hosted zone, when the estate creates it, is pinned and protected in the DR bootstrap', () => {
  const created = synthEstate({ ...committedInput, dns: { zoneName: 'estate.example.org', createZone: true } });
  const dr = created.byName['bootstrap-us-west-1'];
  expect((dr.json.resource.aws_route53_zone as any).hosted_zone).toMatchObject({
    name: 'estate.example.org',
    lifecycle: { prevent_destroy: true },
  });
  expect(created.byName['bootstrap-us-east-2'].json.resource.aws_route53_zone).toBeUndefined();
});
