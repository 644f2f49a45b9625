/*
 * The boot scripts are real files beside this one (bash, and the app's Python), bundled as text
 * at synth. Their values are placeholders:
 *   `@NAME@` anywhere        replaced by a value;
 *   a line `# @NAME@`        replaced by a block of lines (a comment, so the file stays valid
 *                            bash or Python as it is, and shellcheck reads it).
 * Names are upper case, so nothing else in a script (`$@`, MySQL's `@@global`) is one.
 */

/** Values of a template: a string or number for `@NAME@`, lines for a `# @NAME@` line. */
export type TemplateValues = Readonly<Record<string, string | number>>;

const BLOCK = /^# @([A-Z][A-Z0-9_]*)@$/gm;
const INLINE = /@([A-Z][A-Z0-9_]*)@/g;

/**
 * A template with every placeholder replaced. Throws when a placeholder has no value or a value
 * has no placeholder: a boot script never ships with a hole or a stale value.
 */
export function render(name: string, template: string, values: TemplateValues): string {
  const used = new Set<string>();
  const value = (key: string): string => {
    if (!(key in values)) throw new Error(`boot script ${name}: no value for @${key}@`);
    used.add(key);
    return String(values[key]);
  };
  const text = template.replace(BLOCK, (_line, key: string) => value(key).replace(/\n$/, '')).replace(INLINE, (_match, key: string) => value(key));
  const unused = Object.keys(values).filter((key) => !used.has(key));
  if (unused.length) throw new Error(`boot script ${name}: ${unused.map((k) => `@${k}@`).join(', ')} not in the template`);
  return text;
}
