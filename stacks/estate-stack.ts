import { DataAwsS3Objects } from '@cdktf/provider-aws/lib/data-aws-s3-objects';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataTerraformRemoteStateS3, Fn, LocalBackend, ref, S3Backend, TerraformElement, TerraformStack, type TerraformOutput } from 'cdktf';
import type { Construct, Node } from 'constructs';
import type { EstateConfig, SiteConfig } from '../config/load';
import type { AwsRegion } from '../config/regions';
import { lockTableName, stateBucketName, stateKey, storageKeyAlias } from '../config/naming';
import { logicalIdFromPath } from '../constructs/addresses';

/** Props shared by every stack of the estate. */
export interface EstateStackProps {
  /** The validated estate config. */
  readonly config: EstateConfig;
  /** The site (region) this stack's provider and state belong to. */
  readonly site: SiteConfig;
}

/**
 * Base of every stack: readable Terraform addresses, one tagged AWS provider for the stack's
 * region, and the state backend in that same region.
 */
/** The Terraform versions every stack accepts (Terraform docs, "Use temporary write-only arguments": 1.11 and later). */
export const REQUIRED_TERRAFORM = '>= 1.11.0';

export abstract class EstateStack extends TerraformStack {
  /** The validated estate config. */
  readonly config: EstateConfig;
  /** The site whose region this stack lives and keeps its state in. */
  readonly site: SiteConfig;
  /** The stack's AWS provider (default tags, account guard). */
  readonly awsProvider: AwsProvider;

  private readonly allocatedIds = new Map<string, string>();

  constructor(scope: Construct, id: string, props: EstateStackProps) {
    super(scope, id);
    this.config = props.config;
    this.site = props.site;
    this.awsProvider = new AwsProvider(this, 'aws', {
      region: props.site.region,
      // Never act in another account (by default only the estate's own).
      allowedAccountIds: [...props.config.allowedAccountIds],
      defaultTags: [{ tags: estateTags(props.config, props.site) }],
    });
    // The terraform block's required_version (no TerraformStack field for it): write-only
    // arguments (password_wo, secret_string_wo, data_wo) need Terraform 1.11.
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM);
  }

  /**
   * The HCL of the stack (`npm run synth:hcl`). cdktf 0.21's renderer writes the terraform
   * block's plain attributes by their index (`renderTerraform` hands the key list, not the
   * attributes, to `renderSimpleAttributes`): `0 = "required_version"`. The one such attribute
   * is written out here as the JSON synthesis has it.
   */
  override toHclTerraform(): { [key: string]: unknown } {
    const out = super.toHclTerraform();
    return { ...out, hcl: String(out.hcl).replace('  0 = "required_version"', `  required_version = ${JSON.stringify(REQUIRED_TERRAFORM)}`) };
  }

  /** Keeps this stack's state in a local file (bootstrap only, before the bucket exists). */
  protected useLocalState(): void {
    // Relative to the stack's folder (cdktf.out/stacks/<stack>), so the output carries no
    // machine path (cdktf's default is absolute); the file lands in the project root under
    // the name cdktf would give it.
    new LocalBackend(this, { path: `../../../terraform.${this.node.id}.tfstate` });
  }

  /** Keeps this stack's state in its own region's bucket, locked as configured. */
  protected useRegionalState(): void {
    const { config, site } = this;
    new S3Backend(this, {
      bucket: stateBucketName(config, site.region),
      key: stateKey(config, this.node.id),
      region: site.region,
      encrypt: true,
      // The region's storage key (an alias: resolved in this account by S3). Without it the
      // backend would send SSE-S3 on every write, overriding the bucket's SSE-KMS default.
      kmsKeyId: storageKeyAlias(config),
      dynamodbTable: config.stateBackend.dynamodbLocking ? lockTableName(config) : undefined,
    });
    if (config.stateBackend.s3Lockfile) {
      // Escape hatch: S3BackendConfig in cdktf 0.21 has no `useLockfile` field; Terraform
      // 1.10+ reads `use_lockfile` to lock with a conditional write beside the state object.
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    }
  }

  /**
   * Reads another stack's outputs from its state. By default from the bucket of that stack's
   * region; `fromRegion` reads the replica of that state in another region's bucket (the
   * primary's state replicates into the DR bucket), so nothing in the stack's own region is
   * touched. Read-only: no lock is taken.
   *
   * `optional` is for a stack that may not have been deployed yet (a best-effort one):
   * `terraform_remote_state` fails the plan when the state object does not exist (`defaults`
   * only cover outputs missing from an existing state), so the state is read only when a
   * listing of the bucket finds it, and each output reads as "" until then.
   */
  protected readStateOf(stack: EstateStack, id: string, fromRegion?: AwsRegion, options: { optional?: boolean } = {}): StackOutputs {
    const region = fromRegion ?? stack.site.region;
    const bucket = stateBucketName(this.config, region);
    const key = stateKey(this.config, stack.node.id);
    const state = new DataTerraformRemoteStateS3(this, id, { bucket, key, region });
    if (!options.optional) {
      return { state, getString: (output: TerraformOutput) => state.getString(output.friendlyUniqueId) };
    }
    const listing = new DataAwsS3Objects(this, `${id}-object`, { bucket, prefix: key, maxKeys: 1 });
    // Escape hatch: cdktf's remote state has no `count`; Terraform's data block accepts one.
    state.addOverride('count', `\${length([for k in ${listing.fqn}.keys : k if k == ${JSON.stringify(key)}])}`);
    return {
      state,
      getString: (output: TerraformOutput) =>
        Fn.try([ref(`data.terraform_remote_state.${state.friendlyUniqueId}[0].outputs.${output.friendlyUniqueId}`), '']),
    };
  }

  /**
   * Terraform addresses are the construct path in snake_case (`network_public_0`), with no
   * hash suffix, so plans and `terraform state` commands read like the code. Construct ids
   * are therefore a contract: renaming one moves a resource. Two paths that would map to one
   * address fail the synth instead of silently colliding.
   */
  protected override allocateLogicalId(tfElement: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(tfElement) ? tfElement.node : tfElement;
    const scopes = node.scopes;
    const logicalId = logicalIdFromPath(scopes.slice(scopes.indexOf(this) + 1).map((c) => c.node.id));
    const path = node.path;
    const previous = this.allocatedIds.get(logicalId);
    if (previous !== undefined && previous !== path) {
      throw new Error(
        `Stack ${this.node.id}: constructs "${previous}" and "${path}" both map to the Terraform address suffix "${logicalId}"; rename one of them.`,
      );
    }
    this.allocatedIds.set(logicalId, path);
    return logicalId;
  }
}

/** Another stack's outputs, read from its state. */
export interface StackOutputs {
  /** The remote state data source. */
  readonly state: DataTerraformRemoteStateS3;
  /** The value of one of that stack's outputs. */
  getString(output: TerraformOutput): string;
}

/**
 * The tags every resource of a site carries (the provider's `default_tags`). `DrRole` is the
 * site's designated role (`primary`/`dr`), not its posture: a failover must not retag every
 * resource in both regions. Config `tags` come first so they cannot override these.
 */
export function estateTags(config: EstateConfig, site: SiteConfig): Record<string, string> {
  return {
    ...config.tags,
    Project: config.project,
    Environment: config.environment,
    Region: site.region,
    DrRole: site.role,
    ManagedBy: 'cdktf',
  };
}
