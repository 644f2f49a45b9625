import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { ephemeralResource } from './ephemeral';

/** Props of {@link DatabaseCredentials}. */
export interface DatabaseCredentialsProps {
  /** Name of the secret, the same in every region it is replicated to. */
  readonly secretName: string;
  /** The database's master user. */
  readonly username: string;
  /** Regions the secret is replicated to, so it can be read there with this region dark. */
  readonly replicaRegions: readonly string[];
  /**
   * Alias of the customer managed key the secret is encrypted with, in this region and in
   * each replica region (the same alias name in every region).
   */
  readonly keyAlias: string;
  /**
   * Length of the generated password.
   * @default 32
   */
  readonly passwordLength?: number;
}

/**
 * The master credentials of the database lineage, owned by Terraform: a Secrets Manager secret
 * replicated to the other region, whose first value (user and a generated password) is written
 * with `secret_string_wo` from an ephemeral random password, so the password is in no plan and
 * no state. Every incarnation shares it (a replica inherits its source's master password).
 *
 * Not RDS-managed passwords (`manage_master_user_password`): RDS refuses to create a read
 * replica of an instance whose master password it manages, and the DR design is a chain of
 * replicas.
 */
export class DatabaseCredentials extends Construct {
  /** The secret (in this region; replicas in `replicaRegions` carry the same name). */
  readonly secret: SecretsmanagerSecret;
  /** Its first value: a reader in this stack refers to it, so it never reads an empty secret. */
  readonly initialValue: SecretsmanagerSecretVersion;
  /** Name of the secret in every region. */
  readonly secretName: string;

  constructor(scope: Construct, id: string, props: DatabaseCredentialsProps) {
    super(scope, id);
    const length = props.passwordLength ?? 32;
    if (!Number.isInteger(length) || length < 16 || length > 128) {
      throw new Error(`DatabaseCredentials ${id}: passwordLength is ${length}, expected a whole number from 16 to 128.`);
    }
    this.secretName = props.secretName;
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      name: props.secretName,
      description: 'Master user of the estate database (every incarnation, both regions)',
      recoveryWindowInDays: 30,
      kmsKeyId: props.keyAlias,
      replica: props.replicaRegions.map((region) => ({ region, kmsKeyId: props.keyAlias })),
      // Without it no incarnation can be logged into.
      lifecycle: { preventDestroy: true },
    });
    const password = ephemeralResource(this, 'password', 'aws_secretsmanager_random_password', {
      password_length: length,
      // RDS refuses / " @ in master passwords; punctuation is left out entirely so the value
      // needs no quoting in any client.
      exclude_punctuation: true,
      require_each_included_type: true,
    });
    this.initialValue = new SecretsmanagerSecretVersion(this, 'initial-value', {
      secretId: this.secret.id,
      secretStringWo: `\${jsonencode({ username = ${JSON.stringify(props.username)}, password = ${password}.random_password })}`,
      // Written once; rotation is an operator step (docs/architecture.md, "Database credentials").
      secretStringWoVersion: 1,
    });
    new TerraformOutput(this, 'secret-name', {
      value: this.secret.name,
      description: 'Secrets Manager secret with the database master user and password (replicated).',
    });
  }
}

/**
 * The master password as the region's copy of the secret holds it, as an ephemeral value for
 * a write-only argument: read when Terraform runs, never stored. The secret is read in the
 * stack's own region (a replica reads while the owning region is dark): by name, or, when this
 * stack owns the secret, through its first value. Terraform opens an ephemeral resource at plan
 * time whenever its arguments are known, and `depends_on` does not delay it, so on the first
 * deploy a plain name would be read before the secret exists and fail the plan; the first
 * value's `secret_id` is unknown until it is written, which defers the read to the apply.
 */
export function masterPasswordFromSecret(scope: Construct, id: string, secret: string | DatabaseCredentials): string {
  const version = ephemeralResource(scope, id, 'aws_secretsmanager_secret_version', {
    secret_id: typeof secret === 'string' ? secret : secret.initialValue.secretId,
  });
  return `\${jsondecode(${version}.secret_string).password}`;
}
