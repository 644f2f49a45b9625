import { sitePosture } from '../../config/dr';
import { resolveConfig } from '../../config/load';
import type { EstateConfigInput } from '../../config/schema';
import { committedInput, problemsOf, synthEstate, withInput } from '../helpers';

/** The problems a config is rejected with (fails the test when it is accepted). */

const minimal: EstateConfigInput = {
  accountId: '111122223333',
  dns: { zoneName: 'estate.example.org' },
  monitoring: { alertEmails: ['oncall@estate.example.org'] },
  eks: { adminRoleArns: ['arn:aws:iam::111122223333:role/estate-admin'] },
};

describe('config defaults', () => {
  const config = resolveConfig(minimal);

  test('follow the spec: us-east-2 primary, us-west-1 DR, primary active', () => {
    expect(config.primary).toEqual({
      role: 'primary',
      region: 'us-east-2',
      vpcCidr: '10.20.0.0/16',
      azCount: 3,
    });
    expect(config.dr).toEqual({
      role: 'dr',
      region: 'us-west-1',
      vpcCidr: '10.30.0.0/16',
      azCount: 2,
    });
    expect(config.activeRegion).toBe('us-east-2');
    expect(config.activeRegionFromEnvironment).toBe(false);
  });

  test('derive state names from project and environment', () => {
    expect(config.stateBackend).toEqual({
      bucketNamePrefix: 'dr-estate-prod-tfstate-111122223333',
      lockTableName: 'dr-estate-prod-tflock',
      dynamodbLocking: true,
      s3Lockfile: false,
      bootstrapStateInS3: false,
      noncurrentVersionRetentionDays: 90,
    });
    expect(config.network).toEqual({ natGateways: 'one-per-az', flowLogRetentionDays: 365 });
    expect(config.allowedAccountIds).toEqual(['111122223333']); // the estate's own account only
  });

  test('the committed config is valid and keeps the primary active', () => {
    expect(resolveConfig(committedInput).activeRegion).toBe('us-east-2');
  });
});

describe('the DR switch', () => {
  test('activeRegion us-west-1 (after one switch) makes the DR site active and the primary passive', () => {
    const config = resolveConfig({ ...minimal, activeRegion: 'us-west-1', switches: 1 });
    expect(sitePosture(config, config.primary).serves).toBe(false);
    expect(sitePosture(config, config.dr).serves).toBe(true);
  });

  test('DR_ACTIVE_REGION overrides the committed activeRegion', () => {
    const config = resolveConfig(
      { ...minimal, activeRegion: 'us-east-2' },
      { activeRegionOverride: 'us-west-1' },
    );
    expect(config.activeRegion).toBe('us-west-1');
    expect(config.activeRegionFromEnvironment).toBe(true);
    expect(sitePosture(config, config.dr).serves).toBe(true);
    expect(config.switches).toBe(1); // the switch it makes, not yet committed
  });

  test('DR_ACTIVE_REGION naming the committed active region changes nothing', () => {
    const config = resolveConfig({ ...minimal, activeRegion: 'us-west-1', switches: 1 }, { activeRegionOverride: 'us-west-1' });
    expect(config.switches).toBe(1);
  });

  test('a blank DR_ACTIVE_REGION is ignored', () => {
    const config = resolveConfig({ ...minimal, activeRegion: 'us-east-2' }, { activeRegionOverride: '  ' });
    expect(config.activeRegion).toBe('us-east-2');
    expect(config.activeRegionFromEnvironment).toBe(false);
  });
});

const ADMIN = ['arn:aws:iam::111122223333:role/estate-admin'];

describe('config validation', () => {
  test('fails if a region is unknown', () => {
    const [problem] = problemsOf(withInput({ dr: { region: 'us-west-9' as never } }));
    expect(problem).toMatch(
      /^dr\.region is "us-west-9", expected one of the AWS commercial regions \(us-east-1, us-east-2, .*\)\.$/,
    );
  });

  test('fails if the primary and DR regions are the same', () => {
    expect(problemsOf(withInput({ dr: { region: 'us-east-2', vpcCidr: '10.30.0.0/16' } }))).toEqual([
      'dr.region is "us-east-2", expected a region other than primary.region ("us-east-2").',
    ]);
  });

  test('fails if the VPC CIDRs overlap', () => {
    expect(problemsOf(withInput({ dr: { vpcCidr: '10.20.128.0/17' } }))).toEqual([
      'dr.vpcCidr is "10.20.128.0/17", expected a block that does not overlap primary.vpcCidr ("10.20.0.0/16"), so the regions can be peered or routed to each other.',
    ]);
  });

  test('fails if azCount is below 2', () => {
    expect(problemsOf(withInput({ dr: { azCount: 1 } }))).toEqual([
      'dr.azCount is 1, expected at least 2 AZs (the app tier, database and EKS need a second AZ).',
    ]);
  });

  test('fails if azCount exceeds the reserved AZ slots', () => {
    expect(problemsOf(withInput({ primary: { azCount: 5 } }))).toEqual([
      'primary.azCount is 5, expected at most 4 AZs (the subnet layout reserves 4 AZ slots).',
    ]);
  });

  test('fails if azCount is not a whole number', () => {
    expect(problemsOf(withInput({ primary: { azCount: 2.5 } }))).toEqual([
      'primary.azCount is 2.5, expected a whole number of AZs from 2 to 4.',
    ]);
  });

  test('fails if activeRegion is not one of the two regions', () => {
    expect(problemsOf(withInput({ activeRegion: 'eu-west-1' }))).toEqual([
      'activeRegion is "eu-west-1", expected one of the estate\'s two regions: "us-east-2" (primary) or "us-west-1" (dr).',
    ]);
  });

  test('fails if DR_ACTIVE_REGION is not one of the two regions, naming the variable', () => {
    expect(problemsOf(committedInput, 'us-west-2')).toEqual([
      'DR_ACTIVE_REGION (which overrides activeRegion) is "us-west-2", expected one of the estate\'s two regions: "us-east-2" (primary) or "us-west-1" (dr).',
    ]);
  });

  test('fails if DR_ACTIVE_REGION is not a region at all, naming the estate\'s two (not every AWS region)', () => {
    expect(problemsOf(committedInput, 'us-west-3')).toEqual([
      'DR_ACTIVE_REGION (which overrides activeRegion) is "us-west-3", expected one of the estate\'s two regions: "us-east-2" (primary) or "us-west-1" (dr).',
    ]);
  });

  test('fails if the domain is missing', () => {
    const { dns: _dns, ...withoutDns } = committedInput;
    expect(problemsOf(withoutDns)).toEqual([
      'dns is missing, expected an object.',
    ]);
    expect(problemsOf({ ...committedInput, dns: {} })).toEqual([
      'dns.zoneName is missing, expected the Route 53 domain of the estate, such as "estate.example.org".',
    ]);
  });

  test('fails if the domain is not a domain name', () => {
    expect(problemsOf(withInput({ dns: { zoneName: 'Not A Domain' } }))).toEqual([
      'dns.zoneName is "Not A Domain", expected a lowercase DNS domain name with at least two labels, such as "estate.example.org".',
    ]);
  });

  test('fails if a VPC CIDR has host bits set', () => {
    expect(problemsOf(withInput({ primary: { vpcCidr: '10.20.1.0/16' } }))).toEqual([
      'primary.vpcCidr is "10.20.1.0/16", expected an IPv4 CIDR block with no host bits set, such as "10.20.0.0/16".',
    ]);
  });

  test('fails if a VPC CIDR is too small for the subnet layout', () => {
    expect(problemsOf(withInput({ primary: { vpcCidr: '10.20.0.0/24' } }))).toEqual([
      'primary.vpcCidr is "10.20.0.0/24", expected a prefix length from /16 to /22 (the subnet layout needs 6 more bits and AWS subnets stop at /28).',
    ]);
  });

  test('fails if a VPC CIDR is public address space', () => {
    expect(problemsOf(withInput({ primary: { vpcCidr: '8.8.0.0/16' } }))).toEqual([
      'primary.vpcCidr is "8.8.0.0/16", expected a block inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10).',
    ]);
  });

  test('fails if a field is unknown (a typo is not silently ignored)', () => {
    expect(problemsOf(withInput({ primary: { azcount: 3 } as never }))).toEqual([
      'primary has the unknown field "azcount", expected only the fields region, vpcCidr, azCount.',
    ]);
  });

  test('fails if state locking is turned off entirely', () => {
    expect(
      problemsOf(withInput({ stateBackend: { dynamodbLocking: false, s3Lockfile: false } })),
    ).toEqual([
      'stateBackend.dynamodbLocking is false, expected true while stateBackend.s3Lockfile is false (state must be locked by at least one method).',
    ]);
  });

  test('fails if the state bucket name would exceed 63 characters', () => {
    const prefix = `${'a'.repeat(42)}-111122223333`;
    expect(problemsOf(withInput({ stateBackend: { bucketNamePrefix: prefix } }))).toEqual([
      `stateBackend.bucketNamePrefix is "${prefix}", expected a prefix short enough that "${prefix}-<region>" fits S3's 63-character bucket names (${prefix}-us-east-2 has 65).`,
    ]);
  });

  test('fails if a bucket prefix leaves out the account id (bucket names are global)', () => {
    expect(problemsOf(withInput({ gitServer: { backupBucketNamePrefix: 'estate-git' } }))).toEqual([
      'gitServer.backupBucketNamePrefix is "estate-git", expected a prefix that contains accountId ("111122223333"): S3 bucket names are global, and the account id keeps them from colliding with another account\'s.',
    ]);
  });

  test('fails if accountId is missing or not 12 digits', () => {
    const { accountId: _omitted, ...withoutAccount } = committedInput;
    expect(problemsOf(withoutAccount)).toEqual([
      "accountId is missing, expected the estate's 12-digit AWS account id as a string (it makes the bucket names, which are global, unique).",
    ]);
    expect(problemsOf(withInput({ accountId: '1234' }))[0]).toBe(
      'accountId is "1234", expected the estate\'s 12-digit AWS account id as a string (it makes the bucket names, which are global, unique).',
    );
  });

  test('fails if allowedAccountIds leaves out the estate\'s account', () => {
    expect(problemsOf(withInput({ allowedAccountIds: ['123456789012'] }))).toEqual([
      'allowedAccountIds is ["123456789012"], expected a list that includes accountId ("111122223333"), the account the estate is deployed in.',
    ]);
  });

  test('fails if an allowed account id is not 12 digits', () => {
    expect(problemsOf(withInput({ allowedAccountIds: ['12345'] }))).toEqual([
      'allowedAccountIds.0 is "12345", expected a 12-digit AWS account id as a string.',
    ]);
  });

  test('fails if the flow log retention is not a CloudWatch value', () => {
    const [problem] = problemsOf({ ...committedInput, network: { flowLogRetentionDays: 45 } });
    expect(problem).toMatch(/^network\.flowLogRetentionDays is 45, expected one of 1, 3, 5, .* \(days CloudWatch Logs accepts\)\.$/);
  });

  test('fails if the NAT mode is unknown', () => {
    expect(problemsOf(withInput({ network: { natGateways: 'none' as never } }))).toEqual([
      'network.natGateways is "none", expected one of one-per-az, single.',
    ]);
  });

  test('fails if the app tier minimum exceeds the desired count', () => {
    expect(problemsOf(withInput({ appTier: { minSize: 3, desiredCapacity: 2 } }))).toEqual([
      'appTier.minSize is 3, expected at most appTier.desiredCapacity (2).',
    ]);
  });

  test('fails if the desired count exceeds the maximum', () => {
    expect(problemsOf(withInput({ appTier: { desiredCapacity: 4 } }))).toEqual([
      'appTier.desiredCapacity is 4, expected at most appTier.maxSize (3).',
    ]);
  });

  test('fails if the passive (warm standby) count exceeds the maximum', () => {
    expect(problemsOf(withInput({ appTier: { passiveDesiredCapacity: 5 } }))).toEqual([
      'appTier.passiveDesiredCapacity is 5, expected at most appTier.maxSize (3).',
    ]);
  });

  test('fails if the database class is a db.t2 class', () => {
    expect(problemsOf(withInput({ database: { instanceClass: 'db.t2.small' } }))).toEqual([
      'database.instanceClass is "db.t2.small", expected a current instance class such as "db.t3.small" (RDS no longer creates db.t2 instances for MySQL or PostgreSQL).',
    ]);
  });

  test('fails if the master user name is reserved', () => {
    expect(problemsOf(withInput({ database: { masterUsername: 'postgres' } }))).toEqual([
      'database.masterUsername is "postgres", expected a user name other than the reserved admin, postgres, rdsadmin and root.',
    ]);
  });

  test('fails if the storage ceiling is below the initial storage', () => {
    expect(problemsOf(withInput({ database: { allocatedStorageGb: 200 } }))).toEqual([
      'database.maxAllocatedStorageGb is 100, expected at least database.allocatedStorageGb (200).',
    ]);
  });

  test('fails if the Git server would be open to the world', () => {
    expect(problemsOf(withInput({ gitServer: { allowedCidrs: ['0.0.0.0/0'] } }))).toEqual([
      'gitServer.allowedCidrs.0 is "0.0.0.0/0", expected a network of /8 or smaller (the Git server is never open to the world).',
    ]);
  });

  test('fails if project and environment make names too long for IAM', () => {
    expect(problemsOf(withInput({ project: 'a-very-long-project', environment: 'production' }))).toEqual([
      'environment is "production", expected a name short enough that "<project>-<environment>" has at most 24 characters ("a-very-long-project-production" has 30), so every IAM name stays unique per region within 64 characters.',
    ]);
  });

  test('fails if the app record is not a single DNS label', () => {
    expect(problemsOf(withInput({ dns: { zoneName: 'estate.example.org', appRecordName: 'www.app' } }))).toEqual([
      'dns.appRecordName is "www.app", expected a single DNS label such as "app".',
    ]);
  });

  test('workload defaults follow the spec, with db.t3.small for the retired db.t2.small', () => {
    const config = resolveConfig(minimal);
    expect(config.appTier).toMatchObject({ instanceType: 't3.micro', minSize: 2, desiredCapacity: 3, maxSize: 3, passiveDesiredCapacity: 0 });
    expect(config.appTier.deletionProtection).toBe(true);
    expect(config.database).toMatchObject({ instanceClass: 'db.t3.small', engine: 'postgres', engineVersion: '16', backupRetentionDays: 7 });
    expect(config.gitServer).toMatchObject({ backupBucketNamePrefix: 'dr-estate-prod-git-backup-111122223333', backupIntervalMinutes: 15 });
    expect(resolveConfig({ ...minimal, environment: 'staging' }).appTier.deletionProtection).toBe(false);
  });

  test('fails if the Kubernetes version is older than 1.35', () => {
    expect(problemsOf(withInput({ eks: { adminRoleArns: ADMIN, kubernetesVersion: '1.29' } }))).toEqual([
      'eks.kubernetesVersion is "1.29", expected a Kubernetes version in AWS standard support, 1.35 or newer, such as "1.35".',
    ]);
  });

  test('fails if no admin role is given cluster access', () => {
    expect(problemsOf(withInput({ eks: { adminRoleArns: [] } }))).toEqual([
      'eks.adminRoleArns is [], expected at least one IAM role ARN given cluster-admin access (the clusters do not trust whoever created them).',
    ]);
  });

  test('fails if an admin is not a role ARN', () => {
    expect(problemsOf(withInput({ eks: { adminRoleArns: ['arn:aws:iam::111122223333:user/alice'] } }))).toEqual([
      'eks.adminRoleArns.0 is "arn:aws:iam::111122223333:user/alice", expected an IAM role ARN such as "arn:aws:iam::111122223333:role/estate-admin".',
    ]);
  });

  test('fails if the Kubernetes API would be public to the world', () => {
    expect(problemsOf(withInput({ eks: { adminRoleArns: ADMIN, publicAccessCidrs: ['0.0.0.0/0'] } }))).toEqual([
      'eks.publicAccessCidrs.0 is "0.0.0.0/0", expected a network of /8 or smaller (the Kubernetes API is never open to the world).',
    ]);
  });

  test('fails if the node maximum is below the node count', () => {
    expect(problemsOf(withInput({ eks: { adminRoleArns: ADMIN, nodeCount: 4 } }))).toEqual([
      'eks.nodeMaxCount is 3, expected at least eks.nodeCount (4).',
    ]);
  });

  test('fails if Grafana faces the internet with no allowed network', () => {
    expect(problemsOf(withInput({ monitoring: { ...committedInput.monitoring, grafanaExposure: 'internet' } }))).toEqual([
      'monitoring.grafanaAllowedCidrs is [], expected at least one network when monitoring.grafanaExposure is "internet" (Grafana is never open to the world).',
    ]);
  });

  test('fails if an add-on version is not an EKS build', () => {
    expect(problemsOf(withInput({ eks: { adminRoleArns: ADMIN, addonVersions: { coredns: 'latest' } } }))).toEqual([
      'eks.addonVersions.coredns is "latest", expected an EKS add-on version such as "v1.19.2-eksbuild.1".',
    ]);
  });

  test('reports every problem, one sentence each', () => {
    const problems = problemsOf(withInput({ project: 'Bad_Name', primary: { azCount: 0 } }));
    expect(problems).toHaveLength(2);
    for (const p of problems) expect(p).toMatch(/^[a-zA-Z.]+ is .+, expected [^\n]+\.$/);
  });
});

describe('an alert destination', () => {
  test('prod with no alert address is refused at synth, naming the field and what is allowed', () => {
    expect(problemsOf(withInput({ monitoring: { alertEmails: [] } }))).toEqual([
      'monitoring.alertEmails is [], expected at least one address when environment is "prod" (an on-call address or a pager\'s email integration): with none, no alarm reaches anyone.',
    ]);
  });

  test('another environment with no alert address synthesizes, with a warning on each regional stack', () => {
    const { stacks } = synthEstate(withInput({ environment: 'staging', monitoring: { alertEmails: [] } }));
    for (const stack of [stacks.regional.primary, stacks.regional.dr]) {
      const warnings = stack.node.metadata.filter((m) => /warn/.test(m.type)).map((m) => String(m.data));
      expect(warnings).toEqual([expect.stringMatching(/^monitoring\.alertEmails is empty: no alert of us-(east-2|west-1) .* reaches anyone/)]);
    }
    const { stacks: paged } = synthEstate(withInput({ environment: 'staging' }));
    expect(paged.regional.primary.node.metadata.filter((m) => /warn/.test(m.type))).toEqual([]);
  });
});
