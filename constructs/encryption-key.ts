import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';

/**
 * A service allowed to use a key directly (through the key policy, not IAM): CloudWatch Logs
 * encrypting log groups, CloudWatch alarms publishing to an encrypted topic.
 */
export interface KeyServiceGrant {
  /** Statement id. */
  readonly sid: string;
  /** Service principal, e.g. `logs.us-east-2.amazonaws.com`. */
  readonly service: string;
  /** KMS actions the service may call. */
  readonly actions: readonly string[];
  /**
   * Conditions narrowing the grant (an encryption context, the calling account).
   * @default - none
   */
  readonly conditions?: DataAwsIamPolicyDocumentStatement['condition'];
}

/**
 * The key policy of a customer managed key: the account administers the key and delegates
 * every other use to IAM (AWS's default key policy), plus the listed service grants.
 * `"Resource": "*"` in a key policy means the key itself.
 */
export function keyPolicy(scope: Construct, id: string, accountId: string, services: readonly KeyServiceGrant[] = []): string {
  const document = new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        sid: 'AccountAdministersAndDelegatesToIam',
        principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${accountId}:root`] }],
        actions: ['kms:*'],
        resources: ['*'],
      },
      ...services.map((s) => ({
        sid: s.sid,
        principals: [{ type: 'Service', identifiers: [s.service] }],
        actions: [...s.actions],
        resources: ['*'],
        condition: s.conditions,
      })),
    ],
  });
  return document.json;
}

/** Props of {@link EncryptionKey}. */
export interface EncryptionKeyProps {
  /** Alias name without `alias/`; the same name in every region the estate runs in. */
  readonly aliasName: string;
  /** What the key encrypts (the key's description). */
  readonly description: string;
  /** The AWS account: its root administers the key. */
  readonly accountId: string;
  /**
   * Services that use the key through the key policy.
   * @default - none (S3, DynamoDB, Secrets Manager and RDS use it with the caller's IAM permissions)
   */
  readonly services?: readonly KeyServiceGrant[];
}

/**
 * A customer managed symmetric key with yearly rotation, a 30-day deletion window,
 * `prevent_destroy`, an explicit key policy and an alias. Data encrypted under a key is lost
 * with it, so the key is protected like the data.
 */
export class EncryptionKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** `alias/<aliasName>`: resolvable in any region that has the alias, before the key exists. */
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9/_-]{1,250}$/.test(props.aliasName) || props.aliasName.startsWith('aws/')) {
      throw new Error(
        `EncryptionKey ${id}: aliasName is "${props.aliasName}", expected letters, digits, / _ - (at most 250, not starting with aws/).`,
      );
    }
    this.aliasName = `alias/${props.aliasName}`;
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy(this, 'key-policy', props.accountId, props.services),
      lifecycle: { preventDestroy: true },
    });
    this.alias = new KmsAlias(this, 'alias', { name: this.aliasName, targetKeyId: this.key.keyId });
  }
}

/**
 * An IAM statement letting a principal use a key known only by its alias (a key in another
 * stack or region), only through the listed services: `kms:ResourceAliases` selects the key,
 * `kms:ViaService` the services.
 */
export function useKeyByAlias(
  sid: string,
  accountId: string,
  aliasName: string,
  actions: readonly string[],
  viaServices: readonly string[],
): DataAwsIamPolicyDocumentStatement {
  return {
    sid,
    actions: [...actions],
    resources: [`arn:aws:kms:*:${accountId}:key/*`],
    condition: [
      { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: [aliasName] },
      { test: 'StringLike', variable: 'kms:ViaService', values: [...viaServices] },
    ],
  };
}
