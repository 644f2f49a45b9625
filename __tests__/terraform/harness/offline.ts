import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initProviders, pool, requiredProviders, runTerraform, type TerraformResult, type Toolchain } from '../../../scripts/terraform/toolchain';

/*
 * Validates synthesized stacks and plans them offline with the real providers:
 *   terraform init -backend=false (once per provider set, shared by symlink)
 *   terraform validate
 *   terraform test   with the project's tftest files, dummy credentials and the AWS
 *                    provider's skip flags, so `plan` runs against no account at all.
 */

/** A synthesized stack on disk. */
export interface StackDir {
  /** Stack name (`regional-us-east-2`). */
  readonly name: string;
  /** Folder holding `cdk.tf.json`. */
  readonly dir: string;
  /** Folders of `.tftest.hcl` files that apply to this stack. */
  readonly testDirs: readonly string[];
  /** HCL put in front of each of the stack's test files (shared `override_data` blocks). */
  readonly overridesFile?: string;
}

/** What happened to one stack. */
export interface OfflineResult {
  readonly stack: string;
  /** `checked`, or `skipped` when a required provider is not in the mirror. */
  readonly status: 'checked' | 'skipped';
  /** Providers that were not in the mirror (for `skipped`). */
  readonly missingProviders: readonly string[];
  readonly init?: TerraformResult;
  readonly validate?: TerraformResult;
  /** `terraform test` output, when the stack has test files. */
  readonly test?: TerraformResult;
  /** The `.tftest.hcl` files that ran (names within the stack's `tests/` folder). */
  readonly testFiles: readonly string[];
}

/** Options of {@link checkStacksOffline}. */
export interface OfflineOptions {
  /** Scratch folder for shared provider installs. */
  readonly workDir: string;
  /** CLI config pointing at the mirror. */
  readonly cliConfigFile: string;
  /**
   * Stacks checked at once (each loads the provider, ~400 MB for AWS).
   * @default 2
   */
  readonly concurrency?: number;
}

const OFFLINE_PROVIDER_SETTINGS: Record<string, Record<string, unknown>> = {
  aws: {
    access_key: 'offline-validation',
    secret_key: 'offline-validation',
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: 'true',
    skip_region_validation: true,
    // The account guard needs the caller's account id, which skip_requesting_account_id leaves
    // unknown (the provider then refuses every account): offline, there is no account to guard.
    allowed_account_ids: null,
  },
};

/** Validates and plan-tests every stack whose providers are all in the mirror. */
export async function checkStacksOffline(
  toolchain: Toolchain,
  stacks: readonly StackDir[],
  options: OfflineOptions,
): Promise<OfflineResult[]> {
  if (!toolchain.terraform) throw new Error('checkStacksOffline: no terraform executable.');
  const terraform = toolchain.terraform;
  const inits = new Map<string, Promise<{ dir: string; result: TerraformResult }>>();
  const initFor = (providers: string[]) => {
    const key = createHash('sha256').update(providers.sort().join('\n')).digest('hex').slice(0, 12);
    if (!inits.has(key)) {
      inits.set(key, initProviders(terraform, providers, join(options.workDir, `providers-${key}`), options.cliConfigFile));
    }
    return inits.get(key)!;
  };

  const checkOne = async (stack: StackDir): Promise<OfflineResult> => {
    const json = JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8'));
    const providers = requiredProviders(json);
    const missingProviders = providers.filter((p) => !toolchain.providers.has(p));
    if (missingProviders.length) {
      return { stack: stack.name, status: 'skipped', missingProviders, testFiles: [] };
    }
    const shared = await initFor(providers);
    if (shared.result.code !== 0) {
      return { stack: stack.name, status: 'checked', missingProviders, init: shared.result, testFiles: [] };
    }
    mkdirSync(join(stack.dir, '.terraform'), { recursive: true });
    symlinkSync(join(shared.dir, '.terraform', 'providers'), join(stack.dir, '.terraform', 'providers'), 'dir');
    copyFileSync(join(shared.dir, '.terraform.lock.hcl'), join(stack.dir, '.terraform.lock.hcl'));
    const run = (args: string[]) => runTerraform(terraform, args, { cwd: stack.dir, cliConfigFile: options.cliConfigFile });

    const validate = await run(['validate', '-no-color']);
    const testFiles = copyTestFiles(stack);
    if (validate.code !== 0 || testFiles.length === 0) {
      return { stack: stack.name, status: 'checked', missingProviders, validate, testFiles };
    }
    // Validated as synthesized; planned without ephemeral resources (see withoutEphemeral).
    writeFileSync(join(stack.dir, 'cdk.tf.json'), JSON.stringify(withoutEphemeral(json)));
    writeOfflineOverride(stack.dir, json);
    const test = await run(['test', '-no-color']);
    return { stack: stack.name, status: 'checked', missingProviders, validate, test, testFiles };
  };

  return pool(stacks, options.concurrency ?? 2, checkOne);
}

/**
 * Copies the stack's `.tftest.hcl` files into its `tests/` folder, each with the stack's
 * shared `overrides.hcl` in front (terraform test files cannot include one another);
 * returns their names.
 */
function copyTestFiles(stack: StackDir): string[] {
  const copied: string[] = [];
  const overrides = stack.overridesFile && existsSync(stack.overridesFile) ? readFileSync(stack.overridesFile, 'utf8') : '';
  for (const source of stack.testDirs) {
    if (!existsSync(source)) continue;
    for (const file of readdirSync(source).filter((f) => f.endsWith('.tftest.hcl'))) {
      mkdirSync(join(stack.dir, 'tests'), { recursive: true });
      if (copied.includes(file)) {
        throw new Error(`${stack.name}: two test folders hold ${file}; test file names must be unique.`);
      }
      const body = readFileSync(join(source, file), 'utf8');
      writeFileSync(join(stack.dir, 'tests', file), overrides ? `${overrides}\n${body}` : body);
      copied.push(file);
    }
  }
  return copied.sort();
}

/**
 * An override file (merged into the stack's own provider blocks, keeping region and
 * default tags) with dummy credentials and the skip flags: the provider configures itself
 * without calling AWS, and plans with `refresh = false` never need to.
 */
export function offlineProviderOverride(stackJson: { provider?: Record<string, Record<string, unknown>[]> }): object {
  const provider: Record<string, Record<string, unknown>[]> = {};
  for (const [name, blocks] of Object.entries(stackJson.provider ?? {})) {
    const settings = OFFLINE_PROVIDER_SETTINGS[name];
    if (!settings) continue;
    provider[name] = blocks.map((b) => (b.alias ? { alias: b.alias, ...settings } : { ...settings }));
  }
  return { provider };
}

/** What offline plans pass to a write-only argument instead of an ephemeral value. */
export const OFFLINE_WRITE_ONLY_VALUE = 'offline-write-only-value';

/**
 * The stack without its ephemeral resources, for offline plans: an ephemeral resource is
 * opened at every plan (a call to AWS, and a provider start of several seconds each) and
 * cannot be overridden in `terraform test`. They feed write-only arguments only, which no plan
 * or state ever shows, so each argument referencing one gets a fixed string instead. What the
 * ephemeral blocks themselves say is checked by `terraform validate` on the stack as
 * synthesized, and by the jest assertions.
 */
export function withoutEphemeral<T extends object>(stackJson: T): T {
  const { ephemeral: _ephemeral, ...rest } = stackJson as T & { ephemeral?: unknown };
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return value.includes('ephemeral.') ? OFFLINE_WRITE_ONLY_VALUE : value;
    if (Array.isArray(value)) return value.map(replace);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]));
    return value;
  };
  return replace(rest) as T;
}

function writeOfflineOverride(dir: string, stackJson: { provider?: Record<string, Record<string, unknown>[]> }): void {
  writeFileSync(join(dir, 'offline_override.tf.json'), JSON.stringify(offlineProviderOverride(stackJson), null, 2));
}

