import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import type { DriftResult, StackReview } from './review';

/* The drift review's results: the terminal summary, the outcome, drift.md and drift.json. */

/** True when the stack was planned (its counts mean something). */
function planned(r: StackReview): boolean {
  return r.result === 'in sync' || r.result === 'drift';
}

/**
 * The summary table (fixed-width text). With `color` (a terminal), stateful warnings are bold
 * red and drift and error results stand out.
 */
export function summaryTable(reviews: readonly StackReview[], options: { readonly color?: boolean } = {}): string {
  const paint = createColors(options.color === true);
  const resultColor: Record<DriftResult, (text: string) => string> = {
    'in sync': paint.green,
    drift: paint.yellow,
    error: paint.red,
    skipped: paint.dim,
  };
  // Borderless: columns two spaces apart, as terminals and CI logs show them best.
  const table = new Table({
    head: ['stack', 'result', 'create', 'update', 'replace', 'delete'],
    chars: { ...BORDERLESS, middle: '  ' },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const r of reviews) {
    const counts = (['create', 'update', 'replace', 'delete'] as const).map((k) => (planned(r) ? String(r.counts[k]) : '-'));
    table.push([r.stack, resultColor[r.result](r.result), ...counts]);
  }
  const warnings = reviews.flatMap((r) =>
    r.stateful.map((w) =>
      paint.bold(paint.red(`!! STATEFUL ${w.action.toUpperCase()}: ${r.stack} ${w.address} would be ${w.action === 'replace' ? 'replaced' : 'deleted'}`)),
    ),
  );
  const errors = reviews.filter((r) => r.error ?? r.reason).map((r) => `${r.stack}: ${r.error ?? `skipped, ${r.reason}`}`);
  const rows = table.toString().split('\n').map((line) => line.trimEnd());
  return [...rows, ...(warnings.length ? ['', ...warnings] : []), ...(errors.length ? ['', ...errors] : [])].join('\n');
}

/** cli-table3's border characters, all blank. */
const BORDERLESS = Object.fromEntries(
  ['top', 'top-mid', 'top-left', 'top-right', 'bottom', 'bottom-mid', 'bottom-left', 'bottom-right', 'left', 'left-mid', 'mid', 'mid-mid', 'right', 'right-mid'].map(
    (k) => [k, ''],
  ),
);

/**
 * The review as a whole: `error` when a stack could not be planned (or none could), else
 * `drift` when one differs, else `in sync`. Exit 1 covers both of the first two; pipelines that
 * treat them differently read this from drift.json.
 */
export function outcomeOf(reviews: readonly StackReview[]): 'in sync' | 'drift' | 'error' {
  if (reviews.every((r) => r.result === 'skipped') || reviews.some((r) => r.result === 'error')) return 'error';
  return reviews.some((r) => r.result === 'drift') ? 'drift' : 'in sync';
}

/** Writes `drift.md` and `drift.json` into `dir`; returns their paths. */
export function writeReports(dir: string, reviews: readonly StackReview[], exitCode: number): string[] {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const json = join(dir, 'drift.json');
  const md = join(dir, 'drift.md');
  writeFileSync(json, JSON.stringify({ exitCode, outcome: outcomeOf(reviews), stacks: reviews }, null, 2));
  const table = [
    '| stack | result | create | update | replace | delete |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...reviews.map(
      (r) =>
        `| ${r.stack} | ${r.result === 'in sync' ? 'in sync' : `**${r.result}**`} | ${(['create', 'update', 'replace', 'delete'] as const)
          .map((k) => (planned(r) ? r.counts[k] : '-'))
          .join(' | ')} |`,
    ),
  ];
  const stateful = reviews.flatMap((r) => r.stateful.map((w) => `- **${w.action}** of a stateful resource: \`${r.stack}\` \`${w.address}\``));
  const errors = reviews.filter((r) => r.error).map((r) => `- \`${r.stack}\`: ${r.error}`);
  const skipped = reviews.filter((r) => r.reason).map((r) => `- \`${r.stack}\`: ${r.reason}`);
  writeFileSync(
    md,
    [
      '# Drift review',
      '',
      ...table,
      ...(stateful.length ? ['', '## Stateful resources that would be replaced or deleted', '', ...stateful] : []),
      ...(errors.length ? ['', '## Errors', '', ...errors] : []),
      ...(skipped.length ? ['', '## Not reviewed', '', ...skipped] : []),
      '',
    ].join('\n'),
  );
  return [md, json];
}
