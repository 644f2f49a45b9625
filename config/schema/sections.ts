import { z } from 'zod';
import { closestName, RDS_INSTANCE_CLASSES } from '../ec2-instance-types';
import { countSchema, instanceTypeSchema, restrictedCidrSchema, retentionSchema, roleArnSchema, S3_BUCKET_PREFIX, strictObject } from './fields';
import { DATABASE_ENGINE_NAMES } from '../engines';

/* The workload's sections of the config: app tier, database, Git server, EKS, monitoring, CI. */

export const appTierSchema = strictObject({
  instanceType: instanceTypeSchema('t3.micro'),
  minSize: countSchema('instances', 1, 100).default(2),
  desiredCapacity: countSchema('instances', 1, 100).default(3),
  maxSize: countSchema('instances', 1, 100).default(3),
  passiveDesiredCapacity: countSchema('instances', 0, 100).default(0),
  appPort: countSchema('a port', 1024, 65535).default(8080),
  healthCheckPath: z
    .string({ error: 'an absolute URL path such as "/healthz"' })
    .regex(/^\/[A-Za-z0-9._~\/-]*$/, { error: 'an absolute URL path such as "/healthz"' })
    .default('/healthz'),
  https: z.boolean({ error: 'true or false' }).default(true),
  deletionProtection: z.boolean({ error: 'true or false' }).optional(),
}).prefault({});

const DB_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
export const databaseSchema = strictObject({
  engine: z.enum(DATABASE_ENGINE_NAMES, { error: `one of ${DATABASE_ENGINE_NAMES.join(', ')}` }).default('postgres'),
  engineVersion: z
    .string({ error: 'a major or major.minor engine version such as "16" or "8.0"' })
    .regex(/^\d+(\.\d+){0,2}$/, { error: 'a major or major.minor engine version such as "16" or "8.0"' })
    .optional(),
  instanceClass: z
    .string({ error: 'an RDS instance class such as "db.t3.small"' })
    .regex(DB_CLASS, { error: 'an RDS instance class such as "db.t3.small"' })
    .refine((c) => !c.startsWith('db.t2.'), {
      error: 'a current instance class such as "db.t3.small" (RDS no longer creates db.t2 instances for MySQL or PostgreSQL)',
    })
    .refine((c) => c.startsWith('db.t2.') || RDS_INSTANCE_CLASSES.has(c), {
      error: (issue) => `an RDS instance class such as "db.t3.small" (did you mean "${closestName(String(issue.input), RDS_INSTANCE_CLASSES)}"?)`,
    })
    .default('db.t3.small'),
  allocatedStorageGb: countSchema('GiB', 20, 65536).default(20),
  maxAllocatedStorageGb: countSchema('GiB', 20, 65536).default(100),
  backupRetentionDays: countSchema('days', 7, 35).default(7),
  databaseName: z
    .string({ error: 'a database name: a letter, then letters, digits or underscores (at most 63)' })
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, {
      error: 'a database name: a letter, then letters, digits or underscores (at most 63)',
    })
    .default('app'),
  masterUsername: z
    .string({ error: 'a user name: a letter, then letters, digits or underscores (at most 16)' })
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, {
      error: 'a user name: a letter, then letters, digits or underscores (at most 16)',
    })
    .refine((u) => !['admin', 'postgres', 'rdsadmin', 'root'].includes(u.toLowerCase()), {
      error: 'a user name other than the reserved admin, postgres, rdsadmin and root',
    })
    .default('estate_admin'),
  masterPasswordVersion: z
    .int({ error: 'a whole number of at least 1 (raise it to set the password from the secret again)' })
    .min(1, { error: 'a whole number of at least 1 (raise it to set the password from the secret again)' })
    .default(1),
}).prefault({});

export const gitServerSchema = strictObject({
  instanceType: instanceTypeSchema('t3.small'),
  dataVolumeSizeGb: countSchema('GiB', 8, 16384).default(50),
  giteaVersion: z
    .string({ error: 'a Gitea release version such as "1.24.6"' })
    .regex(/^\d+\.\d+\.\d+$/, { error: 'a Gitea release version such as "1.24.6"' })
    .default('1.24.6'),
  backupIntervalMinutes: countSchema('minutes', 5, 1440).default(15),
  // At least 2: an unchanged server publishes a new generation every day, so the newest never expires.
  backupVersionRetentionDays: countSchema('days', 2, 3650).default(7),
  handoverWaitMinutes: countSchema('minutes', 0, 120).default(10),
  backupBucketNamePrefix: z
    .string({ error: 'lowercase letters, digits and hyphens' })
    .regex(S3_BUCKET_PREFIX, {
      error: 'lowercase letters, digits and hyphens, not starting or ending with a hyphen',
    })
    .optional(),
  allowedCidrs: z
    .array(restrictedCidrSchema('the Git server'), { error: 'a list of IPv4 CIDR blocks' })
    .default([]),
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
    .default('1.35'),
  upgradeSupport: z
    .enum(['STANDARD', 'EXTENDED'], { error: 'STANDARD or EXTENDED' })
    .default('STANDARD'),
  nodeInstanceType: instanceTypeSchema('t3.medium'),
  nodeCount: countSchema('nodes', 2, 100).default(2),
  nodeMaxCount: countSchema('nodes', 2, 100).default(3),
  publicAccessCidrs: z
    .array(restrictedCidrSchema('the Kubernetes API'), { error: 'a list of IPv4 CIDR blocks' })
    .default([]),
  adminRoleArns: z
    .array(roleArnSchema('estate-admin'), { error: 'a list of IAM role ARNs' })
    .min(1, {
      error: 'at least one IAM role ARN given cluster-admin access (the clusters do not trust whoever created them)',
    }),
  controlPlaneLogRetentionDays: retentionSchema.default(365),
  addonVersions: strictObject({
    vpcCni: optionalVersion,
    coredns: optionalVersion,
    kubeProxy: optionalVersion,
    podIdentityAgent: optionalVersion,
    ebsCsiDriver: optionalVersion,
  }).prefault({}),
});

export const monitoringSchema = strictObject({
  chartVersion: z
    .string({ error: 'a kube-prometheus-stack chart version such as "79.7.1"' })
    .regex(/^\d+\.\d+\.\d+$/, { error: 'a kube-prometheus-stack chart version such as "79.7.1"' })
    .default('79.7.1'),
  prometheusRetentionDays: countSchema('days', 1, 365).default(15),
  prometheusStorageGb: countSchema('GiB', 10, 16384).default(50),
  grafanaRecordName: z
    .string({ error: 'a single DNS label such as "grafana"' })
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'a single DNS label such as "grafana"' })
    .default('grafana'),
  grafanaExposure: z
    .enum(['internal', 'internet'], { error: 'one of internal, internet' })
    .default('internal'),
  grafanaAllowedCidrs: z
    .array(restrictedCidrSchema('Grafana'), { error: 'a list of IPv4 CIDR blocks' })
    .default([]),
  alertEmails: z
    .array(z.email({ error: 'email addresses' }), { error: 'a list of email addresses' })
    .default([]),
  replicaLagAlarmSeconds: countSchema('seconds', 1, 86400).default(300),
}).prefault({});

export const ciSchema = strictObject({
  githubRepository: z
    .string({ error: 'a GitHub repository as "owner/name"' })
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, { error: 'a GitHub repository as "owner/name"' })
    .optional(),
  deployEnvironment: z
    .string({ error: 'a GitHub environment name such as "production"' })
    .regex(/^[A-Za-z0-9_.-]{1,255}$/, { error: 'a GitHub environment name such as "production"' })
    .default('production'),
  planEnvironment: z
    .string({ error: 'a GitHub environment name such as "plan"' })
    .regex(/^[A-Za-z0-9_.-]{1,255}$/, { error: 'a GitHub environment name such as "plan"' })
    .default('plan'),
}).prefault({});
