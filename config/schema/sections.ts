import { z } from 'zod';
import { closestName, RDS_INSTANCE_CLASSES } from '../ec2-instance-types';
import {
  addonVersionDoc,
  countSchema,
  instanceTypeSchema,
  LOG_RETENTION_DOC,
  restrictedCidrSchema,
  retentionSchema,
  roleArnSchema,
  S3_BUCKET_PREFIX,
  strictObject,
} from './fields';
import { DATABASE_ENGINE_NAMES, DATABASE_ENGINES } from '../engines';

/* The workload's sections of the config: app tier, database, Git server, EKS, monitoring, CI. */

export const appTierSchema = strictObject({
  instanceType: instanceTypeSchema('t3.micro').meta({ description: "EC2 type of the app servers; every EC2 type in config is checked against the names AWS publishes (`config/ec2-instance-types.ts`, kept equal to moto's copy of DescribeInstanceTypes by a test), a typo failing with the closest name" }),
  minSize: countSchema('instances', 1, 100).default(2).meta({ description: 'Auto Scaling minimum in the **active** region; at most `desiredCapacity`' }),
  desiredCapacity: countSchema('instances', 1, 100).default(3).meta({ description: 'Auto Scaling desired count in the **active** region; at most `maxSize`' }),
  maxSize: countSchema('instances', 1, 100).default(3).meta({ description: 'Auto Scaling maximum in both regions' }),
  passiveDesiredCapacity: countSchema('instances', 0, 100).default(0).meta({ description: 'desired (and minimum) count in the **passive** region: 0 is pilot light, more is warm standby; at most `maxSize`' }),
  appPort: countSchema('a port', 1024, 65535).default(8080).meta({ description: 'port the app listens on behind the ALB' }),
  healthCheckPath: z
    .string({ error: 'an absolute URL path such as "/healthz"' })
    .regex(/^\/[A-Za-z0-9._~\/-]*$/, { error: 'an absolute URL path such as "/healthz"' })
    .default('/healthz').meta({ description: 'path the target group checks (the app answers it)' }),
  https: z.boolean({ error: 'true or false' }).default(true).meta({ description: 'ACM certificate for `app.<zone>` (DNS-validated in the zone), HTTPS listener, HTTP redirecting to HTTPS; `false`: one plain HTTP listener, no certificate and no zone lookup (drills in accounts without the zone)' }),
  deletionProtection: z.boolean({ error: 'true or false' }).optional().meta({ description: 'ALB deletion protection', defaultText: '`true` when `environment` is `prod`' }),
}).prefault({});

const DB_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
export const databaseSchema = strictObject({
  engine: z
    .enum(DATABASE_ENGINE_NAMES, { error: `one of ${DATABASE_ENGINE_NAMES.join(', ')}` })
    .default('postgres')
    .meta({ description: DATABASE_ENGINE_NAMES.map((e) => `\`${e}\``).join(' or ') }),
  engineVersion: z
    .string({ error: 'a major or major.minor engine version such as "16" or "8.0"' })
    .regex(/^\d+(\.\d+){0,2}$/, { error: 'a major or major.minor engine version such as "16" or "8.0"' })
    .optional()
    .meta({
      description: 'major or major.minor; minor upgrades are automatic',
      defaultText: DATABASE_ENGINE_NAMES.map((e) => `\`${DATABASE_ENGINES[e].defaultVersion}\` (${e})`).join(', '),
    }),
  instanceClass: z
    .string({ error: 'an RDS instance class such as "db.t3.small"' })
    .regex(DB_CLASS, { error: 'an RDS instance class such as "db.t3.small"' })
    .refine((c) => !c.startsWith('db.t2.'), {
      error: 'a current instance class such as "db.t3.small" (RDS no longer creates db.t2 instances for MySQL or PostgreSQL)',
    })
    .refine((c) => c.startsWith('db.t2.') || RDS_INSTANCE_CLASSES.has(c), {
      error: (issue) => `an RDS instance class such as "db.t3.small" (did you mean "${closestName(String(issue.input), RDS_INSTANCE_CLASSES)}"?)`,
    })
    .default('db.t3.small').meta({ description: 'a `db.` class of a family RDS offers for PostgreSQL and MySQL (a typo fails with the closest name); `db.t2.*` is refused (see deviations)' }),
  allocatedStorageGb: countSchema('GiB', 20, 65536).default(20).meta({ description: 'initial gp3 storage' }),
  maxAllocatedStorageGb: countSchema('GiB', 20, 65536).default(100).meta({ description: 'storage autoscaling ceiling; at least `allocatedStorageGb`' }),
  backupRetentionDays: countSchema('days', 7, 35).default(7).meta({ description: '7 to 35' }),
  databaseName: z
    .string({ error: 'a database name: a letter, then letters, digits or underscores (at most 63)' })
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, {
      error: 'a database name: a letter, then letters, digits or underscores (at most 63)',
    })
    .default('app').meta({ description: 'the database created on the writer' }),
  masterUsername: z
    .string({ error: 'a user name: a letter, then letters, digits or underscores (at most 16)' })
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, {
      error: 'a user name: a letter, then letters, digits or underscores (at most 16)',
    })
    .refine((u) => !['admin', 'postgres', 'rdsadmin', 'root'].includes(u.toLowerCase()), {
      error: 'a user name other than the reserved admin, postgres, rdsadmin and root',
    })
    .default('estate_admin').meta({ description: 'the master user; its password is in the secret `<project>-<environment>/db-master` (see Database credentials) and appears in no code, config, output, plan or state' }),
  masterPasswordVersion: z
    .int({ error: 'a whole number of at least 1 (raise it to set the password from the secret again)' })
    .min(1, { error: 'a whole number of at least 1 (raise it to set the password from the secret again)' })
    .default(1).meta({ description: "raise it after putting a new password in the secret: the writer's password is set again from it (write-only)" }),
}).prefault({});

export const gitServerSchema = strictObject({
  instanceType: instanceTypeSchema('t3.small').meta({ description: 'EC2 type of the Git server' }),
  dataVolumeSizeGb: countSchema('GiB', 8, 16384).default(50).meta({ description: 'encrypted gp3 repository volume' }),
  giteaVersion: z
    .string({ error: 'a Gitea release version such as "1.24.6"' })
    .regex(/^\d+\.\d+\.\d+$/, { error: 'a Gitea release version such as "1.24.6"' })
    .default('1.24.6').meta({ description: "Gitea release; the binary is installed only if its signature by Gitea's key (`7C9E 6815 2594 6888 62D6 2AF6 2D9A E806 EC15 92E2`) verifies" }),
  backupIntervalMinutes: countSchema('minutes', 5, 1440).default(15).meta({ description: "minutes between backups (the Git RPO's main term)" }),
  // At least 2: an unchanged server publishes a new generation every day, so the newest never expires.
  backupVersionRetentionDays: countSchema('days', 2, 3650).default(7).meta({ description: 'days each backup generation is kept (an unchanged server still publishes one a day, so the newest never expires); with `git/` replicated both ways, each region holds at most about (changed intervals a day + 1) x this many archives' }),
  handoverWaitMinutes: countSchema('minutes', 0, 120).default(10).meta({ description: "how long a Git server taking over after a switch waits for the old writer's final backup (a planned switch: every push) before it restores the newest complete one and reports the pushes at risk (an unplanned one)" }),
  backupBucketNamePrefix: z
    .string({ error: 'lowercase letters, digits and hyphens' })
    .regex(S3_BUCKET_PREFIX, {
      error: 'lowercase letters, digits and hyphens, not starting or ending with a hyphen',
    })
    .optional().meta({ description: 'backup bucket of a region is `<prefix>-<region>`; must contain `accountId`', defaultText: '`<project>-<environment>-git-backup-<accountId>`' }),
  allowedCidrs: z
    .array(restrictedCidrSchema('the Git server'), { error: 'a list of IPv4 CIDR blocks' })
    .default([]).meta({ description: "networks (e.g. a VPN) that may reach Gitea's web port directly; /8 or smaller, never the world" }),
}).prefault({});

const optionalVersion = z
  .string({ error: 'an EKS add-on version such as "v1.19.2-eksbuild.1"' })
  .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, { error: 'an EKS add-on version such as "v1.19.2-eksbuild.1"' })
  .optional();

export const eksSchema = strictObject({
  kubernetesVersion: z
    .string({ error: 'a Kubernetes version in AWS standard support, 1.35 or newer, such as "1.35"' })
    .regex(/^1\.\d+$/, { error: 'a Kubernetes version in AWS standard support, 1.35 or newer, such as "1.35"' })
    .refine((v) => Number(v.split('.')[1]) >= 35, {
      error: 'a Kubernetes version in AWS standard support, 1.35 or newer, such as "1.35"',
    })
    .default('1.35').meta({ description: 'a version in AWS standard support, 1.35 or newer' }),
  upgradeSupport: z
    .enum(['STANDARD', 'EXTENDED'], { error: 'STANDARD or EXTENDED' })
    .default('STANDARD').meta({ description: "what happens when the version leaves AWS standard support (EKS `upgradePolicy.supportType`): `STANDARD` upgrades the cluster then, `EXTENDED` keeps it, billed at the extended-support rate; never left to the API's default (extended)" }),
  nodeInstanceType: instanceTypeSchema('t3.medium').meta({ description: 'EC2 type of the managed node group' }),
  nodeCount: countSchema('nodes', 2, 100).default(2).meta({ description: 'desired and minimum node count' }),
  nodeMaxCount: countSchema('nodes', 2, 100).default(3).meta({ description: 'maximum node count; at least `nodeCount`' }),
  publicAccessCidrs: z
    .array(restrictedCidrSchema('the Kubernetes API'), { error: 'a list of IPv4 CIDR blocks' })
    .default([]).meta({ description: 'networks allowed to a public API endpoint; empty keeps the endpoint private only; never wider than /8' }),
  adminRoleArns: z
    .array(roleArnSchema('estate-admin'), { error: 'a list of IAM role ARNs' })
    .min(1, {
      error: 'at least one IAM role ARN given cluster-admin access (the clusters do not trust whoever created them)',
    }).meta({ description: "IAM roles given cluster-admin access entries on both clusters (the SRE role; CI's scoped deploy role of each region is added); nothing trusts the cluster's creator. The committed value is a documentation account: replace it" }),
  controlPlaneLogRetentionDays: retentionSchema.default(365).meta({ description: `retention of the control-plane log group: ${LOG_RETENTION_DOC}` }),
  addonVersions: strictObject({
    vpcCni: optionalVersion.meta({ description: addonVersionDoc('VPC CNI'), defaultText: 'unset' }),
    coredns: optionalVersion.meta({ description: addonVersionDoc('CoreDNS'), defaultText: 'unset' }),
    kubeProxy: optionalVersion.meta({ description: addonVersionDoc('kube-proxy'), defaultText: 'unset' }),
    podIdentityAgent: optionalVersion.meta({ description: addonVersionDoc('Pod Identity agent'), defaultText: 'unset' }),
    ebsCsiDriver: optionalVersion.meta({ description: addonVersionDoc('EBS CSI driver'), defaultText: 'unset' }),
  }).prefault({}),
});

export const monitoringSchema = strictObject({
  chartVersion: z
    .string({ error: 'a kube-prometheus-stack chart version such as "79.7.1"' })
    .regex(/^\d+\.\d+\.\d+$/, { error: 'a kube-prometheus-stack chart version such as "79.7.1"' })
    .default('79.7.1').meta({ description: 'kube-prometheus-stack chart version' }),
  prometheusRetentionDays: countSchema('days', 1, 365).default(15).meta({ description: 'days Prometheus keeps samples' }),
  prometheusStorageGb: countSchema('GiB', 10, 16384).default(50).meta({ description: "size of Prometheus' gp3 volume" }),
  grafanaRecordName: z
    .string({ error: 'a single DNS label such as "grafana"' })
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'a single DNS label such as "grafana"' })
    .default('grafana').meta({ description: "Grafana's name in the zone, for the DNS stack's record" }),
  grafanaExposure: z
    .enum(['internal', 'internet'], { error: 'one of internal, internet' })
    .default('internal').meta({ description: '`internal`: an internal NLB, reached inside the VPC or over VPN; `internet`: internet-facing, admitting only `grafanaAllowedCidrs`' }),
  grafanaAllowedCidrs: z
    .array(restrictedCidrSchema('Grafana'), { error: 'a list of IPv4 CIDR blocks' })
    .default([]).meta({ description: "networks allowed to Grafana's load balancer (required for `internet`)" }),
  alertEmails: z
    .array(z.email({ error: 'email addresses' }), { error: 'a list of email addresses' })
    .default([]).meta({ description: "email addresses subscribed to each region's alert topic (each confirms once); a pager subscribes to the topic the same way. At least one when `environment` is `prod`; elsewhere an empty list is a synth warning" }),
  replicaLagAlarmSeconds: countSchema('seconds', 1, 86400).default(300).meta({ description: "the database replica's lag past which its CloudWatch alarm fires (to the alert topic)" }),
}).prefault({});

export const ciSchema = strictObject({
  githubRepository: z
    .string({ error: 'a GitHub repository as "owner/name"' })
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, { error: 'a GitHub repository as "owner/name"' })
    .optional().meta({ description: "the repository (`owner/name`) whose workflows may assume the CI roles through GitHub's OIDC provider (created in the DR bootstrap stack): the review role from pull requests, the plan role from main and `planEnvironment`, the deploy role only from `deployEnvironment`", defaultText: 'unset: no GitHub access' }),
  deployEnvironment: z
    .string({ error: 'a GitHub environment name such as "production"' })
    .regex(/^[A-Za-z0-9_.-]{1,255}$/, { error: 'a GitHub environment name such as "production"' })
    .default('production').meta({ description: 'the GitHub environment (with required reviewers) the deploy role trusts, and nothing else' }),
  planEnvironment: z
    .string({ error: 'a GitHub environment name such as "plan"' })
    .regex(/^[A-Za-z0-9_.-]{1,255}$/, { error: 'a GitHub environment name such as "plan"' })
    .default('plan').meta({ description: "the GitHub environment (with required reviewers) whose runs may assume the plan role besides main: a pull request's plans of the stacks that open secrets run there once a maintainer approves the run" }),
}).prefault({});
