import type { PolicyDocument } from './documents';
import { awsManagedPolicy, type RoleModel } from './roles';

/*
 * What IAM evaluation needs to know about the estate as the (emulated) account holds it, read
 * back after each step (scripts/drill/aws_probe.py `facts`): the roles with their trust,
 * policies and boundary; instance profiles and launch templates (which role a launch passes);
 * the KMS keys with their aliases and key policies; and the key each lock table, bucket and
 * secret is encrypted under.
 */

/** A KMS key as the account holds it. */
export interface KeyFacts {
  readonly arn: string;
  readonly aliases: readonly string[];
  readonly policy: PolicyDocument;
}

/** The account's IAM and encryption facts. */
export interface AccountFacts {
  readonly roles: Readonly<
    Record<string, { trust: PolicyDocument; inline: { name: string; policy: PolicyDocument }[]; attached: string[]; boundary: string | null }>
  >;
  /** Customer managed policies' default versions, by ARN. */
  readonly customerPolicies: Readonly<Record<string, PolicyDocument>>;
  /** Instance profile name: the roles in it. */
  readonly profiles: Readonly<Record<string, readonly string[]>>;
  /** Launch template id and name: the instance profile (name or ARN) of its latest version. */
  readonly launchTemplates: Readonly<Record<string, string | null>>;
  readonly keys: readonly KeyFacts[];
  /** `<region>/<table>`: the KMS key ARN the table is encrypted under (null: an AWS owned key). */
  readonly tables: Readonly<Record<string, string | null>>;
  /** Secret ARN: its name and key (id, ARN or alias; null: aws/secretsmanager). */
  readonly secrets: Readonly<Record<string, { name: string; key: string | null }>>;
  /** Bucket name: its region and default KMS key (null: SSE-S3). */
  readonly buckets: Readonly<Record<string, { region: string; key: string | null }>>;
}

/** The roles as the evaluator takes them, by name. */
export function roleModels(facts: AccountFacts, accountId: string): Map<string, RoleModel> {
  const policy = (arn: string) => {
    if (arn.startsWith('arn:aws:iam::aws:policy/')) return awsManagedPolicy(arn);
    const document = facts.customerPolicies[arn];
    if (!document) throw new Error(`the account holds no policy ${arn}`);
    return { name: arn.split('/').pop()!, policy: document };
  };
  return new Map(
    Object.entries(facts.roles).map(([name, role]) => [
      name,
      {
        name,
        arn: `arn:aws:iam::${accountId}:role/${name}`,
        stack: '',
        trust: role.trust,
        identityPolicies: [...role.inline, ...role.attached.map(policy)],
        boundary: role.boundary ? policy(role.boundary) : undefined,
      },
    ]),
  );
}

/** A key by id, ARN, alias name or alias ARN, in a region. */
export function findKey(facts: AccountFacts, reference: string, region: string): KeyFacts | undefined {
  if (reference.startsWith('arn:aws:kms:') && reference.includes(':key/')) return facts.keys.find((k) => k.arn === reference);
  const alias = /(alias\/.+)$/.exec(reference)?.[1];
  const keyRegion = reference.startsWith('arn:aws:kms:') ? reference.split(':')[3] : region;
  const inRegion = facts.keys.filter((k) => k.arn.split(':')[3] === keyRegion);
  return alias ? inRegion.find((k) => k.aliases.includes(alias)) : inRegion.find((k) => k.arn.endsWith(`/${reference}`));
}

/** A secret by name or ARN, in a region. */
export function findSecret(facts: AccountFacts, reference: string, region: string): { arn: string; key: string | null } | undefined {
  for (const [arn, secret] of Object.entries(facts.secrets)) {
    if (arn === reference || (arn.split(':')[3] === region && secret.name === reference)) return { arn, key: secret.key };
  }
  return undefined;
}
