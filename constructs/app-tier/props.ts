import type { Network } from '../network';
import type { BucketLocation } from '../secure-bucket';
import type { AppDatabase } from '../user-data';
import type { AppCapacity } from '../../config/dr';

/* The app tier's props, and the checks they get before anything is built. */

/** Auto Scaling sizes of the app tier (config/dr.ts: one shape for the DR model and the construct). */
export type { AppCapacity };

/** The TLS name the load balancer answers on. */
export interface AppTls {
  /** Name clients use, covered by the certificate (`app.<zone>`). */
  readonly domainName: string;
  /** Hosted zone the certificate is DNS-validated in. */
  readonly hostedZoneId: string;
  /**
   * Whether this construct writes the DNS validation record. ACM gives every certificate for a
   * name in one account the same validation record, whatever its region, so exactly one of the
   * regions' app tiers owns it; the others only wait for it.
   * @default true
   */
  readonly ownsValidationRecord?: boolean;
}

/** Props of {@link AppTier}. */
export interface AppTierProps {
  /** Prefix of names and `Name` tags, unique per account and region. */
  readonly name: string;
  /** Region, reported by the app. */
  readonly region: string;
  /** The region's network: ALB in the public subnets, instances in the private ones. */
  readonly network: Network;
  /** Auto Scaling sizes (from the region's DR posture). */
  readonly capacity: AppCapacity;
  /**
   * EC2 instance type.
   */
  readonly instanceType: string;
  /**
   * Port the app listens on.
   */
  readonly appPort: number;
  /**
   * Path the target group health check requests; the app answers it.
   */
  readonly healthCheckPath: string;
  /**
   * HTTPS with a DNS-validated ACM certificate, HTTP redirecting to it.
   * @default - plain HTTP on port 80
   */
  readonly tls?: AppTls;
  /**
   * Load balancer deletion protection.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * The region's bucket the app servers take node_exporter from (`artifacts/`, through the
   * VPC's S3 endpoint): nothing on the boot path needs the internet.
   */
  readonly artifactBucket: BucketLocation;
  /**
   * The region's database the app stores its rows in, and the account it is in (for the ARNs
   * the app servers may read: the instance's endpoint, the credentials secret).
   */
  readonly database: AppDatabase & { readonly accountId: string };
  /** The region's access log bucket and the key prefix the load balancer logs under. */
  readonly accessLogs: { readonly bucket: string; readonly prefix: string };
  /**
   * Alias of the region's storage key: the boot artifacts and the database secret are
   * encrypted with it, so the app servers may decrypt with it (through S3 and Secrets
   * Manager only).
   */
  readonly storageKeyAlias: string;
  /**
   * Tags for what is launched outside Terraform (instances and volumes an Auto Scaling group
   * starts): the provider's default_tags do not reach them.
   * @default - none
   */
  readonly launchTags?: Readonly<Record<string, string>>;
}

/** Public parameter naming the current Amazon Linux 2023 AMI (resolved by EC2 at launch). */
export const AL2023_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

export function validateCapacity(id: string, capacity: AppCapacity): void {
  const { min, desired, max } = capacity;
  const whole = [min, desired, max].every((n) => Number.isInteger(n) && n >= 0);
  if (!whole || min > desired || desired > max || max < 1) {
    throw new Error(
      `AppTier ${id}: capacity is min ${min}, desired ${desired}, max ${max}, expected whole numbers with 0 <= min <= desired <= max and max >= 1.`,
    );
  }
}
