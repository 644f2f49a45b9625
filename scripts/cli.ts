import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load';

/*
 * What every command of the project (`dr`, `drift`, `parity`, `deploy:phase`, `drill`) shares:
 * option parsing with node's own `util.parseArgs` (`--flag value` and `--flag=value`, unknown
 * options refused), `--help`, one exit-code convention, and one line (never a stack trace) for
 * a mistake an operator can fix.
 */

/** The exit codes of every command (README, "Commands"). */
export const EXIT = {
  /** Done, and what was checked holds (in sync, as designed, deployed). */
  ok: 0,
  /** Ran, and found something wrong (drift, a parity difference, a failed deploy or check). */
  failure: 1,
  /** Never ran: a usage error, an invalid config, a missing tool. */
  usage: 2,
} as const;

/** A mistake in how a command was called (or with what config): one sentence, exit 2. */
export class UsageError extends Error {}

/** One option of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** What it does, one line, for `--help`. */
  readonly description: string;
  /** Placeholder of its value in `--help` (string options). */
  readonly value?: string;
  /** The option may be repeated. */
  readonly multiple?: boolean;
}

/** A command: its name, how it is called, its options and what its exit codes mean. */
export interface CommandSpec {
  /** How it is run, e.g. `npm run drift --`. */
  readonly invocation: string;
  /** Short name used as the prefix of its messages, e.g. `drift`. */
  readonly name: string;
  /** Positional arguments in the usage line, e.g. `[stack ...]`. */
  readonly positionals?: string;
  /** What it does (a few lines). */
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** What exit 0 and 1 mean for this command. */
  readonly exitCodes: { readonly ok: string; readonly failure: string };
}

/** `--help` text: "Usage:", every option, the exit codes. */
export function helpText(spec: CommandSpec): string {
  const options = Object.entries(spec.options).map(([name, o]) => [`--${name}${o.value ? ` ${o.value}` : ''}`, `${o.description}${o.multiple ? ' (repeatable)' : ''}`]);
  options.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...options.map(([flag]) => flag.length));
  const args = [spec.positionals, ...Object.entries(spec.options).map(([n, o]) => `[--${n}${o.value ? ` ${o.value}` : ''}]`)].filter(Boolean);
  // `npm run x --` only when arguments follow it.
  const usage = args.length ? `${spec.invocation} ${args.join(' ')}` : spec.invocation.replace(/ --$/, '');
  return [
    `Usage: ${usage}`,
    '',
    spec.summary,
    '',
    'Options (--name value or --name=value):',
    ...options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    '',
    'Exit codes:',
    `  ${EXIT.ok}  ${spec.exitCodes.ok}`,
    `  ${EXIT.failure}  ${spec.exitCodes.failure}`,
    `  ${EXIT.usage}  usage error, invalid config or missing tool: nothing was run`,
  ].join('\n');
}

/** Parsed options and positionals, or `help` when `--help` was asked for. */
export type Parsed = { readonly values: Record<string, string | boolean | string[] | undefined>; readonly positionals: string[] } | 'help';

/** Parses a command line by the spec; throws {@link UsageError} with one sentence. */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): Parsed {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [name, { type: o.type, multiple: o.multiple ?? false }]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: spec.positionals !== undefined,
      strict: true,
    });
    if (values.help) return 'help';
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    // parseArgs explains in several sentences; one is enough here.
    const message = (error as Error).message.split('. ')[0].replace(/\.$/, '');
    throw new UsageError(`${message}; see ${spec.invocation} --help.`);
  }
}

/** A whole number option within bounds, or a {@link UsageError} naming it. */
export function wholeNumber(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} is "${value}", expected a whole number from ${min} to ${max}.`);
  return n;
}

/**
 * Runs a command's body with the shared conventions: `--help` prints and exits 0; a
 * {@link UsageError} or an invalid config prints one line per problem and exits 2; any other
 * error prints its message (its stack only with DEBUG set) and exits 1.
 */
export async function runCommand(
  spec: CommandSpec,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  body: (parsed: Exclude<Parsed, 'help'>) => number | Promise<number>,
): Promise<number> {
  try {
    const parsed = parseCommandLine(spec, argv);
    if (parsed === 'help') {
      console.log(helpText(spec));
      return EXIT.ok;
    }
    return await body(parsed);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${spec.name}: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(`${spec.name}: invalid estate config: ${problem}`);
      return EXIT.usage;
    }
    console.error(`${spec.name}: ${error instanceof Error ? error.message : String(error)}`);
    if (env.DEBUG && error instanceof Error) console.error(error.stack);
    return EXIT.failure;
  }
}
