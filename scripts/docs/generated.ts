import { estate } from '../../config/estate';
import { resolveConfig } from '../../config/load';
import { quotaTable } from '../../config/quotas';
import { renderRunbook } from '../dr/runbook';
import { configReference } from './config-reference';

/*
 * The parts of the docs that are generated, each between two markers in its file: what
 * `npm run docs` writes and `npm run docs -- --check` (and a test) keeps current. Everything
 * else in docs/ is written by hand.
 */

/** A generated part of a doc. */
export interface GeneratedSection {
  /** The doc, from the project's root. */
  readonly file: string;
  /** Its name in the markers (`<!-- NAME:start ... -->`, `<!-- NAME:end -->`). */
  readonly name: string;
  /** Where it is generated from, for the start marker. */
  readonly source: string;
  readonly render: () => string;
}

export const GENERATED: readonly GeneratedSection[] = [
  { file: 'docs/configuration.md', name: 'config-reference', source: 'config/schema', render: configReference },
  { file: 'docs/runbook.md', name: 'runbook', source: 'scripts/dr/runbook.ts', render: () => renderRunbook() },
  { file: 'docs/architecture.md', name: 'quotas', source: 'config/quotas.ts and config/estate.ts', render: () => quotaTable(resolveConfig(estate)) },
];

/** The start marker of a section. */
export function startMarker(section: GeneratedSection): string {
  return `<!-- ${section.name}:start (generated from ${section.source} by npm run docs: edit there, not here) -->`;
}

/** The doc's text with the section regenerated; throws naming the markers when they are missing. */
export function withSection(text: string, section: GeneratedSection): string {
  const start = new RegExp(`<!-- ${section.name}:start[^>]*-->`).exec(text);
  const endMarker = `<!-- ${section.name}:end -->`;
  const end = text.indexOf(endMarker);
  if (!start || end < start.index) throw new Error(`${section.file} has no <!-- ${section.name}:start --> ... ${endMarker} markers`);
  return `${text.slice(0, start.index)}${startMarker(section)}\n${section.render()}\n${text.slice(end)}`;
}
