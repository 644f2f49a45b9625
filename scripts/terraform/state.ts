import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTerraform, type TerraformResult } from './toolchain';

/*
 * Reading a state where it is kept, without a stack's configuration: a folder whose only
 * configuration is an S3 backend (no provider is installed), initialized, in which `terraform
 * state pull` (and `state push`) run. The deploy's replica check, the live-DNS guard and the
 * state move read states this way.
 */

/** A Terraform state as `terraform state pull` prints it, as far as the tools read it. */
export interface PulledState {
  /** The state exactly as pulled (what a push writes back). */
  readonly text: string;
  readonly lineage: string;
  readonly serial: number;
  readonly resources: readonly unknown[];
}

/** A pulled state, or undefined when the key holds none (`state pull` then prints nothing, or an empty state with no lineage). */
export function parseState(text: string): PulledState | undefined {
  if (!text.trim()) return undefined;
  const state = JSON.parse(text) as Partial<PulledState>;
  if (!state.lineage) return undefined;
  return { text, lineage: state.lineage, serial: Number(state.serial), resources: state.resources ?? [] };
}

/** The S3 backend settings of a synthesized stack (its Terraform JSON text); undefined when it keeps its state elsewhere. */
export function s3BackendOf(stackText: string): Record<string, unknown> | undefined {
  return (JSON.parse(stackText) as { terraform?: { backend?: { s3?: Record<string, unknown> } } }).terraform?.backend?.s3;
}

/** An initialized backend-only folder: its `terraform init` result, and terraform to run in it. */
export interface BackendFolder {
  readonly init: TerraformResult;
  readonly run: (args: readonly string[]) => Promise<TerraformResult>;
}

/** Writes `dir` with only `backend` (S3 settings) as its configuration and runs `terraform init` there. */
export async function backendFolder(
  terraform: string,
  dir: string,
  backend: Readonly<Record<string, unknown>>,
  options: { readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number; readonly backendConfig?: string },
): Promise<BackendFolder> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { backend: { s3: backend } } }, null, 2));
  const run = (args: readonly string[]) => runTerraform(terraform, args, { cwd: dir, env: options.env, timeoutMs: options.timeoutMs });
  const backendConfig = options.backendConfig ? [`-backend-config=${options.backendConfig}`] : [];
  const init = await run(['init', '-input=false', '-no-color', '-reconfigure', ...backendConfig]);
  return { init, run };
}
