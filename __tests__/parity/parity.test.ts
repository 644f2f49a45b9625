import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { App, type TerraformResource } from 'cdktf';
import { resolveConfig, type EstateConfig } from '../../config/load';
import type { StackJson } from '../../scripts/dr/synthesize';
import { compareRegions, parityReport } from '../../scripts/parity/compare';
import { main } from '../../scripts/parity/cli';
import { buildEstate, type EstateStacks } from '../../stacks/estate';
import { committedInput, synthesizedStacks } from '../helpers';

/** Synthesizes the estate after letting `skew` change it (to build regions that differ). */
function synthSkewed(config: EstateConfig, skew: (stacks: EstateStacks) => void): Record<string, StackJson> {
  const outdir = mkdtempSync(join(tmpdir(), 'estate-parity-'));
  const app = new App({ outdir });
  skew(buildEstate(app, config));
  app.synth();
  return Object.fromEntries(
    readdirSync(join(outdir, 'stacks')).map((n) => [n, JSON.parse(readFileSync(join(outdir, 'stacks', n, 'cdk.tf.json'), 'utf8'))]),
  );
}

describe.each([
  ['normal', undefined],
  ['failover', 'us-west-1'],
])('the real synthesis, %s posture', (_label, override) => {
  const config = resolveConfig(committedInput, { activeRegionOverride: override });
  const differences = compareRegions(synthesizedStacks(committedInput, { activeRegionOverride: override }) as Record<string, StackJson>, config);

  test('has no unexpected difference between the regions', () => {
    expect(differences.filter((d) => !d.reason)).toEqual([]);
  });

  test('lists the differences by design, each with its reason', () => {
    const reasons = new Set(differences.map((d) => d.reason));
    expect(reasons).toContain('DR posture: app tier size');
    expect(reasons).toContain('DR posture: Git server running or stopped');
    expect(reasons).toContain('one per AZ slot (azCount 3 vs 2)');
  });
});

describe('a deliberately skewed estate', () => {
  const config = resolveConfig(committedInput);
  const skewed = synthSkewed(config, (stacks) => {
    // Escape hatches applied to the DR region only: exactly what parity must catch.
    const launchTemplate = stacks.regional.dr.node.findChild('app').node.findChild('launch-template') as TerraformResource;
    launchTemplate.addOverride('instance_type', 't3.large');
    new S3Bucket(stacks.regional.dr, 'stray-bucket', { bucket: 'stray' });
    stacks.regional.primary.node.findChild('git').node.findChild('backup-replication').node.tryRemoveChild('Default');
  });
  const differences = compareRegions(skewed, config);
  const unexpected = differences.filter((d) => !d.reason);

  test('reports every structural difference: a property, a resource only in one region', () => {
    expect(unexpected).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'regional', address: 'aws_launch_template.app_launch_template', what: 'instance_type', primary: '"t3.micro"', dr: '"t3.large"' }),
        expect.objectContaining({ kind: 'regional', address: 'aws_s3_bucket.stray_bucket', what: 'presence', primary: 'absent', dr: 'present' }),
        expect.objectContaining({ kind: 'regional', address: 'aws_s3_bucket_replication_configuration.git_backup_replication', what: 'presence', primary: 'absent', dr: 'present' }),
      ]),
    );
    expect(unexpected).toHaveLength(3);
  });

  test('the report puts the unexpected differences first and counts them', () => {
    const report = parityReport(differences).split('\n');
    expect(report[0]).toMatch(/^UNEXPECTED regional +aws_/);
    expect(report[report.length - 1]).toMatch(/^parity: 3 unexpected difference\(s\), \d+ by design/);
  });
});

test('a posture-driven difference is by design only with the values the DR posture gives each region', () => {
  const config = resolveConfig(committedInput);
  // The passive DR region's app tier running one server in normal operation: a size the
  // posture does not give it, on an attribute that may differ between the regions.
  const swapped = synthSkewed(config, (stacks) => {
    const asg = stacks.regional.dr.node.findChild('app').node.findChild('asg') as TerraformResource;
    asg.addOverride('desired_capacity', 1);
  });
  const unexpected = compareRegions(swapped, config).filter((d) => !d.reason);
  expect(unexpected.map((d) => `${d.address} ${d.what}: ${d.primary} vs ${d.dr}`)).toEqual([
    'aws_autoscaling_group.app_asg desired_capacity: 3 vs 1',
  ]);
});

test('npm run parity exits 0 on the committed config', async () => {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    expect(await main([], {})).toBe(0);
  } finally {
    log.mockRestore();
  }
  expect(lines.join('\n')).toMatch(/parity: 0 unexpected difference\(s\), \d+ by design/);
});
