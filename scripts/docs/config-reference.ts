import { z } from 'zod';
import { estateConfigSchema } from '../../config/schema';
import { FIELD_DOCS } from '../../config/schema/docs';

/*
 * The configuration reference (docs/configuration.md), generated from the schema: every field in
 * schema order, its default as the schema gives it (or as config/schema/docs.ts describes a
 * derived one) and what it means. `npm run docs` writes it (./generated.ts); a test keeps it current.
 */

/** One field of the config, as JSON Schema describes it (the input side: what estate.ts writes). */
interface JsonField {
  readonly type?: string;
  readonly properties?: Record<string, JsonField>;
  readonly required?: readonly string[];
  readonly default?: unknown;
}

/** Every leaf field: its path, whether it must be given, and its default. */
export function configFields(): { path: string; required: boolean; default: unknown }[] {
  const root = z.toJSONSchema(estateConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonField;
  const fields: { path: string; required: boolean; default: unknown }[] = [];
  const visit = (node: JsonField, path: string, required: boolean): void => {
    if (node.type === 'object' && node.properties) {
      for (const [name, child] of Object.entries(node.properties)) {
        visit(child, path ? `${path}.${name}` : name, required && (node.required ?? []).includes(name) && child.default === undefined);
      }
      return;
    }
    fields.push({ path, required, default: node.default });
  };
  visit(root, '', true);
  return fields;
}

/** The configuration reference table, in Markdown. */
export function configReference(): string {
  const rows = configFields().map((field) => {
    const doc = FIELD_DOCS[field.path];
    if (!doc) throw new Error(`config field ${field.path} has no entry in config/schema/docs.ts`);
    const given = field.default === undefined ? undefined : `\`${typeof field.default === 'string' ? field.default : JSON.stringify(field.default)}\``;
    const defaultText = field.required ? '**required**' : (doc.default ?? given ?? 'unset');
    return `| \`${field.path}\` | ${defaultText} | ${doc.meaning} |`;
  });
  return ['| field | default | allowed / meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
