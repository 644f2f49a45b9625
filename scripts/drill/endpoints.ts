/*
 * Where the drill's calls go: the emulator's endpoint for each service and region (a dark
 * region's go to a closed loopback port), and the S3 backend settings that
 * point state at the emulator. Part of the emulator profile (./profile.ts).
 */

/** Services the drill points at the emulator (the provider's `endpoints` keys). */
export const EMULATED_SERVICES = [
  'acm',
  'autoscaling',
  'cloudwatch',
  'dynamodb',
  'ec2',
  'eks',
  'elbv2',
  'iam',
  'kms',
  'logs',
  'rds',
  'route53',
  's3',
  'secretsmanager',
  'sns',
  'ssm',
  'sts',
  'wafv2',
] as const;

/** Where each region's calls go in a drill step. */
export interface EndpointPlan {
  /** The emulator, `http://127.0.0.1:<port>`. */
  readonly emulator: string;
  /** Regions made unreachable in this step, and the closed loopback URL their calls go to. */
  readonly dark?: { readonly regions: readonly string[]; readonly endpoint: string };
}

/** The endpoint a region's calls go to. */
export function endpointFor(plan: EndpointPlan, region: string): string {
  return plan.dark?.regions.includes(region) ? plan.dark.endpoint : plan.emulator;
}

/**
 * The S3 backend settings that send state to the emulator (merged by `init -backend-config`).
 * No credentials: each command's environment carries the access key of the role it runs as
 * (./terraform.ts), so the emulator records which role made each call.
 */
export function backendSettings(endpoint: string, maxRetries?: number): Record<string, unknown> {
  return {
    // A dark region's backend is tried once: five attempts at a closed port prove nothing more.
    ...(maxRetries === undefined ? {} : { max_retries: maxRetries }),
    endpoints: { s3: endpoint, dynamodb: endpoint, sts: endpoint, iam: endpoint },
    use_path_style: true,
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
  };
}

/** The backend settings as an HCL file for `terraform init -backend-config=<file>`. */
export function backendConfigFile(endpoint: string, maxRetries?: number): string {
  const settings = backendSettings(endpoint, maxRetries);
  return `${Object.entries(settings)
    .map(([key, value]) =>
      typeof value === 'object'
        ? `${key} = {\n${Object.entries(value as Record<string, string>)
            .map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`)
            .join('\n')}\n}`
        : `${key} = ${JSON.stringify(value)}`,
    )
    .join('\n')}\n`;
}
