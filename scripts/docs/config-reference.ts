import { z } from 'zod';
import { estateConfigSchema } from '../../config/schema';

/*
 * The configuration reference (docs/configuration.md), generated from the schema: every field in
 * schema order, its default as the schema gives it (or, for one derived from other fields or left
 * unset, as its `defaultText` says) and what it means (its `description`): both are written on
 * the field itself (`.meta()`), which `z.toJSONSchema` carries. `npm run docs` writes it
 * (./generated.ts); a test keeps it current.
 */

/** One field of the config, as JSON Schema describes it (the input side: what estate.ts writes). */
interface JsonField {
  readonly type?: string;
  readonly properties?: Record<string, JsonField>;
  readonly required?: readonly string[];
  readonly default?: unknown;
  /** What the field means and allows (`.meta({ description })` on the field). */
  readonly description?: string;
  /** The default in words, for one derived from other fields or left unset (`.meta({ defaultText })`). */
  readonly defaultText?: string;
}

/** Every leaf field: its path, whether it must be given, and its default. */
export function configFields(): { path: string; required: boolean; default: unknown; description?: string; defaultText?: string }[] {
  const root = z.toJSONSchema(estateConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonField;
  const fields: { path: string; required: boolean; default: unknown; description?: string; defaultText?: string }[] = [];
  const visit = (node: JsonField, path: string, required: boolean): void => {
    if (node.type === 'object' && node.properties) {
      for (const [name, child] of Object.entries(node.properties)) {
        visit(child, path ? `${path}.${name}` : name, required && (node.required ?? []).includes(name) && child.default === undefined);
      }
      return;
    }
    fields.push({ path, required, default: node.default, description: node.description, defaultText: node.defaultText });
  };
  visit(root, '', true);
  return fields;
}

/** The configuration reference table, in Markdown. */
export function configReference(): string {
  const rows = configFields().map((field) => {
    if (!field.description) throw new Error(`config field ${field.path} has no description (.meta({ description }) on the field in config/schema)`);
    const given = field.default === undefined ? undefined : `\`${typeof field.default === 'string' ? field.default : JSON.stringify(field.default)}\``;
    const defaultText = field.required ? '**required**' : (field.defaultText ?? given ?? 'unset');
    return `| \`${field.path}\` | ${defaultText} | ${field.description} |`;
  });
  return ['| field | default | allowed / meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
