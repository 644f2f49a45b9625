import { diffLines } from 'diff';
import type { StackJson } from './synthesize';

/** What a transition does to one resource. */
export interface ResourceChange {
  /** Stack the resource is in. */
  readonly stack: string;
  /** Terraform address (`aws_db_instance.database_instance_2`). */
  readonly address: string;
  /**
   * `create`, `update`, `delete` (gone from the config), or `forget` (gone, with a `removed`
   * block: Terraform stops managing it and leaves it in AWS).
   */
  readonly action: 'create' | 'update' | 'delete' | 'forget';
  /** For `update`: the attribute paths whose value changes, sorted. */
  readonly attributes: readonly string[];
  /** For `update`: each changed attribute's value before and after (undefined: not set). */
  readonly values: readonly AttributeChange[];
}

/** One attribute's value before and after a transition. */
export interface AttributeChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Every resource change between two synthesized estates, sorted by stack and address. */
export function diffEstates(before: Record<string, StackJson>, after: Record<string, StackJson>): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const stack of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const was = resourcesOf(before[stack]);
    const now = resourcesOf(after[stack]);
    const forgotten = new Set((after[stack]?.removed ?? []).map((r) => r.from));
    for (const address of [...new Set([...was.keys(), ...now.keys()])].sort()) {
      const a = was.get(address);
      const b = now.get(address);
      if (a === undefined) {
        changes.push({ stack, address, action: 'create', attributes: [], values: [] });
      } else if (b === undefined) {
        changes.push({ stack, address, action: forgotten.has(address) ? 'forget' : 'delete', attributes: [], values: [] });
      } else {
        const attributes = changedPaths(a, b, '');
        if (attributes.length > 0) {
          const values = attributes.map((path) => ({ path, before: valueAt(a, path), after: valueAt(b, path) }));
          changes.push({ stack, address, action: 'update', attributes, values });
        }
      }
    }
  }
  return changes;
}

function resourcesOf(stack: StackJson | undefined): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const [type, byName] of Object.entries(stack?.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const { '//': _metadata, ...config } = body;
      found.set(`${type}.${name}`, expandJsonStrings(config));
    }
  }
  return found;
}

/**
 * The value with every JSON document held in a string (Helm values) parsed, so documents are
 * compared value by value, not as one long string.
 */
export function expandJsonStrings(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('{"')) {
    try {
      return expandJsonStrings(JSON.parse(value));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(expandJsonStrings);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandJsonStrings(v)]));
  return value;
}

/** Paths (`a.b.0.c`) whose values differ; a whole added or removed key is one path. */
function changedPaths(a: unknown, b: unknown, prefix: string): string[] {
  if (isObject(a) && isObject(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .sort()
      .flatMap((key) => changedPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => changedPaths(item, b[i], `${prefix}.${i}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

function valueAt(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One line per change: `update regional-us-west-1 aws_autoscaling_group.app_asg (desired_capacity, min_size)`. */
export function describeChange(change: ResourceChange): string {
  const detail = change.attributes.length ? ` (${change.attributes.join(', ')})` : '';
  return `${change.action.padEnd(6)} ${change.stack.padEnd(20)} ${change.address}${detail}`;
}

/**
 * The change with its values, one attribute a line:
 * `update regional-us-west-1   aws_autoscaling_group.app_asg` then `    desired_capacity: 0 -> 3`.
 */
export function describeChangeWithValues(change: ResourceChange): string[] {
  return [describeChange({ ...change, attributes: [] }), ...change.values.flatMap(describeValueChange)];
}

/** Lines of a decoded script shown at most, per attribute. */
const MAX_SCRIPT_LINES = 12;

/**
 * One attribute's change. A base64 text on both sides (a launch template's `user_data`) is
 * decoded and shown as the lines that differ: two base64 strings cut at 90 characters would
 * differ nowhere visible.
 */
function describeValueChange(v: AttributeChange): string[] {
  const [before, after] = [decodedText(v.before), decodedText(v.after)];
  if (before === undefined || after === undefined) return [`    ${v.path}: ${showValue(v.before)} -> ${showValue(v.after)}`];
  const changed = diffLines(before, after).flatMap((part) =>
    part.added || part.removed ? part.value.replace(/\n$/, '').split('\n').map((line) => `      ${part.added ? '+' : '-'} ${line.length > 100 ? `${line.slice(0, 97)}...` : line}`) : [],
  );
  const more = changed.length > MAX_SCRIPT_LINES ? [`      ... ${changed.length - MAX_SCRIPT_LINES} more changed lines`] : [];
  return [`    ${v.path} (base64, decoded: the lines that differ):`, ...changed.slice(0, MAX_SCRIPT_LINES), ...more];
}

/** The text a base64 value encodes, when it is base64 of printable text; else undefined. */
export function decodedText(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 16 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const buffer = Buffer.from(value, 'base64');
  if (buffer.toString('base64') !== value) return undefined;
  const text = buffer.toString('utf8');
  return /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/.test(text) && !text.includes('\ufffd') ? text : undefined;
}

/** A value as an operator reads it: references without `${}`, long ones cut. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  const literal = typeof value === 'string' && !value.includes('${');
  const raw = typeof value === 'string' && !literal ? value : JSON.stringify(value);
  const shown = literal ? raw : raw.replace(/\$\{(?:data\.terraform_remote_state\.)?([^}]*)\}/g, '$1');
  return shown.length > 90 ? `${shown.slice(0, 87)}...` : shown;
}
