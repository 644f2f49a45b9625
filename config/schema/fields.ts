import { z } from 'zod';
import { closestName, EC2_INSTANCE_TYPES } from '../ec2-instance-types';
import { cidrContains, isAdmittedNetwork, parseCidr, WIDEST_ADMITTED_PREFIX } from '../cidr';
import { AWS_REGIONS, LOG_RETENTION_DAYS, MAX_AZ_COUNT, MIN_AZ_COUNT } from '../regions';
import { MAX_VPC_PREFIX_LENGTH, MIN_VPC_PREFIX_LENGTH } from '../subnet-layout';

/*
 * The field schemas the estate's sections are made of. Every `error` text is the "expected ..."
 * half of the sentence a user sees (see `formatIssue` in ../load.ts): the field and the value
 * are added there, so each message only says what is allowed.
 */

/** A strict object: an unknown (for example misspelt) field is an error that lists the allowed ones. */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `only the fields ${Object.keys(shape).join(', ')}`
        : 'an object',
  });
}

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,18}[a-z0-9]$/;
export const nameSchema = (what: string) =>
  z.string({ error: `${what}: 2 to 20 lowercase letters, digits or hyphens` }).regex(NAME_PATTERN, {
    error: `${what}: 2 to 20 lowercase letters, digits or hyphens, starting with a letter`,
  });

export const regionSchema = z.enum(AWS_REGIONS, {
  error: `one of the AWS commercial regions (${AWS_REGIONS.join(', ')})`,
});

/** RFC 1918 private ranges plus the shared address space AWS also accepts for VPCs. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

export const vpcCidrSchema = z
  .string({ error: 'an IPv4 CIDR block such as "10.20.0.0/16"' })
  .refine((value) => parseCidr(value) !== undefined, {
    error: 'an IPv4 CIDR block with no host bits set, such as "10.20.0.0/16"',
  })
  .refine(
    (value) => {
      const parsed = parseCidr(value);
      return (
        !parsed ||
        (parsed.prefixLength >= MIN_VPC_PREFIX_LENGTH && parsed.prefixLength <= MAX_VPC_PREFIX_LENGTH)
      );
    },
    {
      error: `a prefix length from /${MIN_VPC_PREFIX_LENGTH} to /${MAX_VPC_PREFIX_LENGTH} (the subnet layout needs 6 more bits and AWS subnets stop at /28)`,
    },
  )
  .refine(
    // zod runs every refinement; only a parsable block is checked against the ranges.
    (value) => !parseCidr(value) || PRIVATE_RANGES.some((range) => cidrContains(range, value)),
    { error: `a block inside a private range (${PRIVATE_RANGES.join(', ')})` },
  );

export const azCountSchema = z
  .int({ error: `a whole number of AZs from ${MIN_AZ_COUNT} to ${MAX_AZ_COUNT}` })
  .min(MIN_AZ_COUNT, {
    error: `at least ${MIN_AZ_COUNT} AZs (the app tier, database and EKS need a second AZ)`,
  })
  .max(MAX_AZ_COUNT, {
    error: `at most ${MAX_AZ_COUNT} AZs (the subnet layout reserves ${MAX_AZ_COUNT} AZ slots)`,
  });

/** Per-site facts: only what must differ between the two regions lives here; `docs` says what each field means for that site. */
export function siteSchema(
  defaults: { region: string; vpcCidr: string; azCount: number },
  docs: { region: string; vpcCidr: string; azCount: string },
) {
  return strictObject({
    region: regionSchema.default(defaults.region as (typeof AWS_REGIONS)[number]).meta({ description: docs.region }),
    vpcCidr: vpcCidrSchema.default(defaults.vpcCidr).meta({ description: docs.vpcCidr }),
    azCount: azCountSchema.default(defaults.azCount).meta({ description: docs.azCount }),
  }).prefault({});
}

/** What a CloudWatch Logs retention field allows, for its description. */
export const LOG_RETENTION_DOC = 'a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)';

/** What a pinned EKS add-on version field means, for its description. */
export const addonVersionDoc = (name: string) =>
  `pinned ${name} add-on version (\`v1.19.2-eksbuild.1\` form); unset runs the version AWS names the default for the cluster's Kubernetes version`;

export const DOMAIN_PATTERN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An AWS account id: 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;

export const accountIdSchema = z
  .string({ error: 'a 12-digit AWS account id as a string' })
  .regex(ACCOUNT_ID, { error: 'a 12-digit AWS account id as a string' });

export const retentionSchema = z.literal(LOG_RETENTION_DAYS, {
  error: `one of ${LOG_RETENTION_DAYS.join(', ')} (days CloudWatch Logs accepts)`,
});

/** `<project>-<environment>` longest length: `<base>-<region>-<purpose>` IAM names then fit 64. */
export const MAX_BASE_NAME_LENGTH = 24;

/** The prefix of every name the estate gives: `<project>-<environment>` (the one place it is built). */
export function namePrefix(config: { readonly project: string; readonly environment: string }): string {
  return `${config.project}-${config.environment}`;
}

export const S3_BUCKET_PREFIX = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;

export const instanceTypeSchema = (fallback: string) =>
  z
    .string({ error: 'an EC2 instance type such as "t3.micro"' })
    .refine((t) => EC2_INSTANCE_TYPES.has(t), {
      error: (issue) => `an EC2 instance type such as "t3.micro" (did you mean "${closestName(String(issue.input), EC2_INSTANCE_TYPES)}"?)`,
    })
    .default(fallback);

export const countSchema = (what: string, min: number, max: number) =>
  z
    .int({ error: `a whole number of ${what} from ${min} to ${max}` })
    .min(min, { error: `a whole number of ${what} from ${min} to ${max}` })
    .max(max, { error: `a whole number of ${what} from ${min} to ${max}` });

/** A network that may reach an endpoint: never a block wider than /8 (so never the world). */
export const restrictedCidrSchema = (what: string) =>
  z
    .string({ error: 'an IPv4 CIDR block' })
    .refine((c) => parseCidr(c) !== undefined, { error: 'an IPv4 CIDR block with no host bits set' })
    .refine((c) => parseCidr(c) === undefined || isAdmittedNetwork(c), {
      error: `a network of /${WIDEST_ADMITTED_PREFIX} or smaller (${what} is never open to the world)`,
    });

/** A boolean field. */
export const booleanSchema = () => z.boolean({ error: 'true or false' });

/** An IAM role ARN; `example` names the role in the message's example. */
export const roleArnSchema = (example: string) => {
  const error = `an IAM role ARN such as "arn:aws:iam::111122223333:role/${example}"`;
  return z.string({ error }).regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@\/-]+$/, { error });
};
