import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drCycle, type DrCycleStep, type DrPosition } from '../config/dr';
import { estate } from '../config/estate';
import { ConfigError, resolveConfig, type EstateConfig, type ResolveOptions } from '../config/load';
import type { EstateConfigInput } from '../config/schema';
import type { EstateStacks } from '../stacks/estate';
import { cachedSynthesis } from './synth-cache';

/** A synthesized stack: the raw JSON (for the cdktf matchers) and its parsed form. */
export interface SynthesizedStack {
  readonly name: string;
  readonly text: string;
  readonly json: TerraformJson;
}

/** The parts of Terraform JSON the tests read. */
export interface TerraformJson {
  readonly terraform: {
    readonly backend?: Record<string, Record<string, unknown>>;
    readonly required_providers: Record<string, { source: string; version: string }>;
  };
  readonly provider: Record<string, Record<string, unknown>[]>;
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** The committed config, as the app uses it. */
export const committedInput: EstateConfigInput = estate;

/** The problems an invalid config input is refused with (throws when it is accepted). */
export function problemsOf(input: unknown, activeRegionOverride?: string): readonly string[] {
  try {
    resolveConfig(input, { activeRegionOverride });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('config was accepted');
}

/** The committed config with some fields replaced (shallow per top-level field). */
export function withInput(patch: Partial<EstateConfigInput>): EstateConfigInput {
  return { ...committedInput, ...patch };
}

/**
 * Builds the whole estate in a test app and synthesizes it exactly as `npm run synth` does
 * (`app.synth()`, so cross-stack outputs land in the stacks that produce them), then reads
 * every stack back. The JSON comes from the shared synthesis cache (./synth-cache.ts) when the
 * same config was synthesized from the same sources before; the construct tree (`stacks`) is
 * built on first use.
 */
export function synthEstate(
  input: EstateConfigInput = committedInput,
  options: ResolveOptions = {},
): { config: EstateConfig; stacks: EstateStacks; byName: Record<string, SynthesizedStack> } {
  const config = resolveConfig(input, options);
  const texts = cachedSynthesis(config, () => synthesizeTexts(config));
  const byName: Record<string, SynthesizedStack> = {};
  for (const [name, text] of Object.entries(texts)) byName[name] = { name, text, json: JSON.parse(text) as TerraformJson };
  let stacks: EstateStacks | undefined;
  return {
    config,
    byName,
    get stacks() {
      stacks ??= buildEstate(newTestApp(), config);
      return stacks;
    },
  };
}

/** Every stack's Terraform JSON of a config input, parsed (see synthEstate). */
export function synthesizedStacks(input: EstateConfigInput = committedInput, options: ResolveOptions = {}): Record<string, TerraformJson> {
  return synthesizeConfig(resolveConfig(input, options));
}

/**
 * Every stack's Terraform JSON of a resolved config, parsed: what scripts/dr/synthesize.ts
 * gives, through the shared cache (the synthesizer the DR tooling takes in tests).
 */
export function synthesizeConfig(config: EstateConfig): Record<string, TerraformJson> {
  const texts = cachedSynthesis(config, () => synthesizeTexts(config));
  return Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, JSON.parse(text) as TerraformJson]));
}

/*
 * cdktf and the estate's constructs (hundreds of provider classes) are loaded only when a file
 * builds an estate: a file served from the cache never pays for them.
 */
function newTestApp(): import('cdktf').App {
  return (require('cdktf') as typeof import('cdktf')).Testing.app();
}

function buildEstate(app: import('cdktf').App, config: EstateConfig): EstateStacks {
  return (require('../stacks/estate') as typeof import('../stacks/estate')).buildEstate(app, config);
}

/** Synthesizes as the DR tooling does (scripts/dr/synthesize.ts: the app class, not Testing.app). */
function synthesizeTexts(config: EstateConfig): Record<string, string> {
  return (require('../scripts/dr/synthesize') as typeof import('../scripts/dr/synthesize')).synthesizeTexts(config);
}

/** Resources of one type in a stack, keyed by logical id (empty when none). */
export function resourcesOf(stack: SynthesizedStack, type: string): Record<string, Record<string, unknown>> {
  return stack.json.resource[type] ?? {};
}

/** The one resource of a type and logical id; fails the test when it is missing. */
export function resource(stack: SynthesizedStack, type: string, id: string): Record<string, any> {
  const found = stack.json.resource[type]?.[id];
  if (!found) throw new Error(`${stack.name} has no ${type}.${id}`);
  return found;
}

/** The one data source of a type and logical id; fails the test when it is missing. */
export function dataSource(stack: SynthesizedStack, type: string, id: string): Record<string, any> {
  const found = stack.json.data?.[type]?.[id];
  if (!found) throw new Error(`${stack.name} has no data.${type}.${id}`);
  return found;
}

/** A DR position reachable through the safe cycle, as config input fields (config/dr.ts). */
export type { DrPosition };

/** How the tests name each step of the cycle (the last one repeats the first state). */
const CYCLE_LABELS: Record<DrCycleStep, string> = {
  normal: 'normal',
  failover: 'failover',
  reprotect: 'reprotected',
  failback: 'failback',
  'normal-again': 'normal',
};

/**
 * The safe cycle of the committed regions, in order: normal, failover, reprotected, failback,
 * normal again (config/dr.ts drCycle). Each step is one `npm run dr -- plan` transition from the
 * one before.
 */
const committedSites = resolveConfig(estate);
export const DR_CYCLE: readonly (DrPosition & { readonly label: string })[] = drCycle(
  committedSites.primary.region,
  committedSites.dr.region,
).map(({ step, position }) => ({ label: CYCLE_LABELS[step], ...position }));

/** The committed config at a DR position. */
export function inPosition(position: DrPosition): EstateConfigInput {
  const { activeRegion, switches, reprotects } = position;
  return { ...committedInput, activeRegion, switches, reprotects };
}

/** The committed config after the safe history that ends with `activeRegion` and `reprotects`. */
export function afterSafeHistory(activeRegion: 'us-east-2' | 'us-west-1', reprotects: number): EstateConfigInput {
  // Replicating (reprotects = switches) when the active site's parity matches, else one switch more.
  const primaryActive = activeRegion === 'us-east-2';
  const switches = primaryActive === (reprotects % 2 === 0) ? reprotects : reprotects + 1;
  return inPosition({ activeRegion, switches, reprotects });
}

/**
 * The props the estate passes each construct from its config, at the config's defaults
 * (constructs take them as required props: the schema holds the one default), for tests that
 * build a construct alone. Resolved by the real resolver, so each is the schema's default.
 */
export const PROPS_AT_CONFIG_DEFAULTS = (() => {
  // A config that sets only what has no default resolves every other field to its default.
  const d = resolveConfig({
    accountId: '111122223333',
    dns: { zoneName: 'estate.example.org' },
    eks: { adminRoleArns: ['arn:aws:iam::111122223333:role/estate-admin'] },
    monitoring: { alertEmails: ['oncall@estate.example.org'] },
  });
  return {
    appTier: { instanceType: d.appTier.instanceType, appPort: d.appTier.appPort, healthCheckPath: d.appTier.healthCheckPath },
    database: {
      engine: d.database.engine,
      engineVersion: d.database.engineVersion,
      instanceClass: d.database.instanceClass,
      allocatedStorageGb: d.database.allocatedStorageGb,
      maxAllocatedStorageGb: d.database.maxAllocatedStorageGb,
      backupRetentionDays: d.database.backupRetentionDays,
      databaseName: d.database.databaseName,
      masterUsername: d.database.masterUsername,
    },
    eks: {
      kubernetesVersion: d.eks.kubernetesVersion,
      nodeInstanceType: d.eks.nodeInstanceType,
      nodeCount: d.eks.nodeCount,
      nodeMaxCount: d.eks.nodeMaxCount,
      logRetentionDays: d.eks.controlPlaneLogRetentionDays,
    },
    gitServer: {
      instanceType: d.gitServer.instanceType,
      dataVolumeSizeGb: d.gitServer.dataVolumeSizeGb,
      giteaVersion: d.gitServer.giteaVersion,
      backupIntervalMinutes: d.gitServer.backupIntervalMinutes,
      handoverWaitMinutes: d.gitServer.handoverWaitMinutes,
    },
    monitoring: {
      chartVersion: d.monitoring.chartVersion,
      retentionDays: d.monitoring.prometheusRetentionDays,
      storageGb: d.monitoring.prometheusStorageGb,
      grafanaExposure: d.monitoring.grafanaExposure,
    },
  } as const;
})();

/** What operators read: the README and every doc in docs/, each with its path from the project root. */
export function operatorDocs(): { readonly file: string; readonly text: string }[] {
  const root = join(__dirname, '..');
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs].map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));
}
