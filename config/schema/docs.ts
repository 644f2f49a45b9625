/*
 * What each config field means, for the configuration reference in docs/configuration.md (generated from the
 * schema: `npm run docs`; a test fails when the doc is out of date, when a field has no entry
 * here, or when an entry names no field). Defaults are read from the schema itself; `default`
 * here only describes one that derives from other fields or is left unset.
 */

import { DATABASE_ENGINE_NAMES, DATABASE_ENGINES } from '../engines';

/** The documentation of one field. */
export interface FieldDoc {
  /** What the field does and what it allows, beyond its default. */
  readonly meaning: string;
  /** The default in words, for a field whose default is derived or unset. */
  readonly default?: string;
}

const LOG_RETENTION = 'a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)';
const ADDON = (name: string) => `pinned ${name} add-on version (\`v1.19.2-eksbuild.1\` form); unset runs the version AWS names the default for the cluster's Kubernetes version`;

/** Every field of the config, by its path. */
export const FIELD_DOCS: Readonly<Record<string, FieldDoc>> = {
  project: {
    meaning:
      '2-20 lowercase letters, digits, hyphens; first part of every name and the `Project` tag; `<project>-<environment>` is at most 24 characters, so every IAM name (account-wide) stays unique per region',
  },
  environment: { meaning: 'same rules; second part of names, and the first part of every state key' },
  'primary.region': { meaning: 'an AWS commercial region' },
  'primary.vpcCidr': { meaning: 'private IPv4 block (RFC 1918 or 100.64/10), /16 to /22, no host bits' },
  'primary.azCount': { meaning: "2 to 4 AZs, taken in order from the region's `aws_availability_zones`" },
  'dr.region': { meaning: 'an AWS commercial region other than `primary.region`' },
  'dr.vpcCidr': { meaning: 'as above, and must not overlap `primary.vpcCidr`' },
  'dr.azCount': { meaning: 'as above; 2 because most accounts have only two usable AZs in us-west-1' },
  activeRegion: {
    default: '`primary.region`',
    meaning: '**the DR switch**: `primary.region` or `dr.region`. The environment variable `DR_ACTIVE_REGION` overrides it (blank means unset)',
  },
  reprotects: { meaning: 'times a recovered site has been rebuilt as the standby; each reprotect adds one; `switches` or `switches - 1`' },
  switches: { meaning: 'failovers plus failbacks so far; each switch adds one, together with `activeRegion` (see The DR switch)' },
  'drPlan.healthCheckIntervalSeconds': { meaning: 'interval of the Route 53 health checks of the ALBs: 10 or 30 s' },
  'drPlan.healthCheckFailureThreshold': { meaning: 'failed checks before Route 53 fails a region over' },
  'drPlan.dnsTtlSeconds': { meaning: 'TTL of the monitoring records' },
  'drPlan.instanceWarmupSeconds': { meaning: 'estimate of an app server boot and first passing health check, for the RTO budget of `npm run dr -- plan`' },
  'drPlan.databasePromotionMinutes': { meaning: 'estimate of a cross-region replica promotion, for the RTO budget' },
  'drPlan.expectedReplicaLagSeconds': { meaning: 'replica lag expected in normal operation: the database RPO in the budget' },
  accountId: {
    meaning:
      "the estate's 12-digit AWS account id: part of every bucket name (S3 names are global, so no other account can hold one) and the account every provider is limited to. The committed value is a documentation account: replace it",
  },
  allowedAccountIds: { default: '`[accountId]`', meaning: '12-digit account ids every AWS provider is limited to; must include `accountId`' },
  'dns.zoneName': { meaning: "the estate's Route 53 domain (lowercase, two labels or more)" },
  'dns.createZone': { meaning: 'create the hosted zone instead of looking it up' },
  'dns.appRecordName': { meaning: "the app's name is `<appRecordName>.<zone>` (certificate and, with the DR stack, the failover record)" },
  'network.natGateways': { meaning: "`one-per-az` (an AZ outage cannot cut the others' egress) or `single` (cheaper)" },
  'network.flowLogRetentionDays': { meaning: LOG_RETENTION },
  'logging.accessLogRetentionDays': {
    meaning: "days S3 server access logs and load balancer access logs are kept in each region's access log bucket",
  },
  'stateBackend.bucketNamePrefix': {
    default: '`<project>-<environment>-tfstate-<accountId>`',
    meaning: "state bucket of a region is `<prefix>-<region>`; must contain `accountId` and fit S3's 63 characters",
  },
  'stateBackend.lockTableName': { default: '`<project>-<environment>-tflock`', meaning: 'DynamoDB lock table, same name in each region' },
  'stateBackend.dynamodbLocking': { meaning: 'lock with the DynamoDB table (`dynamodb_table`)' },
  'stateBackend.s3Lockfile': {
    meaning: 'also (or instead) lock with an S3 lock file (`use_lockfile`, Terraform >= 1.10); at least one of the two must be on',
  },
  'stateBackend.bootstrapStateInS3': { meaning: "after the first bootstrap, keep the bootstrap stacks' own state in their bucket" },
  'stateBackend.noncurrentVersionRetentionDays': { meaning: 'days a superseded state version is kept' },
  'appTier.instanceType': {
    meaning:
      'EC2 type of the app servers; every EC2 type in config is checked against the names AWS publishes (`config/ec2-instance-types.ts`, kept equal to moto\'s copy of DescribeInstanceTypes by a test), a typo failing with the closest name',
  },
  'appTier.minSize': { meaning: 'Auto Scaling minimum in the **active** region; at most `desiredCapacity`' },
  'appTier.desiredCapacity': { meaning: 'Auto Scaling desired count in the **active** region; at most `maxSize`' },
  'appTier.maxSize': { meaning: 'Auto Scaling maximum in both regions' },
  'appTier.passiveDesiredCapacity': {
    meaning: 'desired (and minimum) count in the **passive** region: 0 is pilot light, more is warm standby; at most `maxSize`',
  },
  'appTier.appPort': { meaning: 'port the app listens on behind the ALB' },
  'appTier.healthCheckPath': { meaning: 'path the target group checks (the app answers it)' },
  'appTier.https': {
    meaning:
      'ACM certificate for `app.<zone>` (DNS-validated in the zone), HTTPS listener, HTTP redirecting to HTTPS; `false`: one plain HTTP listener, no certificate and no zone lookup (drills in accounts without the zone)',
  },
  'appTier.deletionProtection': { default: '`true` when `environment` is `prod`', meaning: 'ALB deletion protection' },
  'database.engine': { meaning: DATABASE_ENGINE_NAMES.map((e) => `\`${e}\``).join(' or ') },
  'database.engineVersion': {
    default: DATABASE_ENGINE_NAMES.map((e) => `\`${DATABASE_ENGINES[e].defaultVersion}\` (${e})`).join(', '),
    meaning: 'major or major.minor; minor upgrades are automatic',
  },
  'database.instanceClass': {
    meaning: 'a `db.` class of a family RDS offers for PostgreSQL and MySQL (a typo fails with the closest name); `db.t2.*` is refused (see deviations)',
  },
  'database.allocatedStorageGb': { meaning: 'initial gp3 storage' },
  'database.maxAllocatedStorageGb': { meaning: 'storage autoscaling ceiling; at least `allocatedStorageGb`' },
  'database.backupRetentionDays': { meaning: '7 to 35' },
  'database.databaseName': { meaning: 'the database created on the writer' },
  'database.masterUsername': {
    meaning:
      'the master user; its password is in the secret `<project>-<environment>/db-master` (see Database credentials) and appears in no code, config, output, plan or state',
  },
  'database.masterPasswordVersion': {
    meaning: "raise it after putting a new password in the secret: the writer's password is set again from it (write-only)",
  },
  'gitServer.instanceType': { meaning: 'EC2 type of the Git server' },
  'gitServer.dataVolumeSizeGb': { meaning: 'encrypted gp3 repository volume' },
  'gitServer.giteaVersion': {
    meaning: "Gitea release; the binary is installed only if its signature by Gitea's key (`7C9E 6815 2594 6888 62D6 2AF6 2D9A E806 EC15 92E2`) verifies",
  },
  'gitServer.backupIntervalMinutes': { meaning: "minutes between backups (the Git RPO's main term)" },
  'gitServer.backupVersionRetentionDays': {
    meaning:
      'days each backup generation is kept (an unchanged server still publishes one a day, so the newest never expires); with `git/` replicated both ways, each region holds at most about (changed intervals a day + 1) x this many archives',
  },
  'gitServer.handoverWaitMinutes': {
    meaning:
      "how long a Git server taking over after a switch waits for the old writer's final backup (a planned switch: every push) before it restores the newest complete one and reports the pushes at risk (an unplanned one)",
  },
  'gitServer.backupBucketNamePrefix': {
    default: '`<project>-<environment>-git-backup-<accountId>`',
    meaning: 'backup bucket of a region is `<prefix>-<region>`; must contain `accountId`',
  },
  'gitServer.allowedCidrs': { meaning: "networks (e.g. a VPN) that may reach Gitea's web port directly; /8 or smaller, never the world" },
  'eks.kubernetesVersion': { meaning: 'a version in AWS standard support, 1.35 or newer' },
  'eks.upgradeSupport': {
    meaning:
      "what happens when the version leaves AWS standard support (EKS `upgradePolicy.supportType`): `STANDARD` upgrades the cluster then, `EXTENDED` keeps it, billed at the extended-support rate; never left to the API's default (extended)",
  },
  'eks.nodeInstanceType': { meaning: 'EC2 type of the managed node group' },
  'eks.nodeCount': { meaning: 'desired and minimum node count' },
  'eks.nodeMaxCount': { meaning: 'maximum node count; at least `nodeCount`' },
  'eks.publicAccessCidrs': { meaning: 'networks allowed to a public API endpoint; empty keeps the endpoint private only; never wider than /8' },
  'eks.adminRoleArns': {
    meaning:
      "IAM roles given cluster-admin access entries on both clusters (the SRE role; CI's scoped deploy role of each region is added); nothing trusts the cluster's creator. The committed value is a documentation account: replace it",
  },
  'eks.controlPlaneLogRetentionDays': { meaning: `retention of the control-plane log group: ${LOG_RETENTION}` },
  'eks.addonVersions.vpcCni': { default: 'unset', meaning: ADDON('VPC CNI') },
  'eks.addonVersions.coredns': { default: 'unset', meaning: ADDON('CoreDNS') },
  'eks.addonVersions.kubeProxy': { default: 'unset', meaning: ADDON('kube-proxy') },
  'eks.addonVersions.podIdentityAgent': { default: 'unset', meaning: ADDON('Pod Identity agent') },
  'eks.addonVersions.ebsCsiDriver': { default: 'unset', meaning: ADDON('EBS CSI driver') },
  'monitoring.chartVersion': { meaning: 'kube-prometheus-stack chart version' },
  'monitoring.prometheusRetentionDays': { meaning: 'days Prometheus keeps samples' },
  'monitoring.prometheusStorageGb': { meaning: "size of Prometheus' gp3 volume" },
  'monitoring.grafanaRecordName': { meaning: "Grafana's name in the zone, for the DR stack's record" },
  'monitoring.grafanaExposure': {
    meaning: '`internal`: an internal NLB, reached inside the VPC or over VPN; `internet`: internet-facing, admitting only `grafanaAllowedCidrs`',
  },
  'monitoring.grafanaAllowedCidrs': { meaning: "networks allowed to Grafana's load balancer (required for `internet`)" },
  'monitoring.alertEmails': {
    meaning:
      "email addresses subscribed to each region's alert topic (each confirms once); a pager subscribes to the topic the same way. At least one when `environment` is `prod`; elsewhere an empty list is a synth warning",
  },
  'monitoring.replicaLagAlarmSeconds': { meaning: "the database replica's lag past which its CloudWatch alarm fires (to the alert topic)" },
  'ci.githubRepository': {
    default: 'unset: no GitHub access',
    meaning:
      'the repository (`owner/name`) whose workflows may assume the CI roles through GitHub\'s OIDC provider (created in the DR bootstrap stack): the review role from pull requests, the plan role from main and `planEnvironment`, the deploy role only from `deployEnvironment`',
  },
  'ci.deployEnvironment': { meaning: 'the GitHub environment (with required reviewers) the deploy role trusts, and nothing else' },
  'ci.planEnvironment': {
    meaning:
      'the GitHub environment (with required reviewers) whose runs may assume the plan role besides main: a pull request\'s plans of the stacks that open secrets run there once a maintainer approves the run',
  },
  tags: { meaning: "extra tags on every resource; they cannot override the estate's own tags" },
};
