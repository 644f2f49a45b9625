import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import type { EstateConfig } from '../../config/load';
import { buildEstate } from '../../stacks/estate';

/** A stack's Terraform JSON, as far as the DR tooling reads it. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly removed?: readonly { from: string }[];
  readonly [key: string]: unknown;
}

/** Synthesizes the estate for a config exactly as the app does; each stack's JSON text by name. */
export function synthesizeTexts(config: EstateConfig): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), 'estate-synth-'));
  try {
    const app = new App({ outdir });
    buildEstate(app, config);
    app.synth();
    const texts: Record<string, string> = {};
    for (const name of readdirSync(join(outdir, 'stacks')).sort()) {
      texts[name] = readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8');
    }
    return texts;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesizes the estate for a config, in memory, exactly as the app does; by stack name. */
export function synthesizeEstate(config: EstateConfig): Record<string, StackJson> {
  return Object.fromEntries(Object.entries(synthesizeTexts(config)).map(([name, text]) => [name, JSON.parse(text) as StackJson]));
}
