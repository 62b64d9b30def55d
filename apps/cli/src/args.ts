/** Argument parsing for the commands, on node:util's parseArgs; mistakes become UsageError. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake on the command line: printed with the command's usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** Parses `argv` for `options`; unknown options and missing values throw UsageError. */
export function parse<O extends Options>(argv: readonly string[], options: O): Parsed<O> {
  // `--from -4`: a negative number after an option that takes a value is that value
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([\w-]+)$/.exec(argv[i]!)?.[1];
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      args.push(`--${name}=${next}`);
      i++;
    } else args.push(argv[i]!);
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // node's messages go on about '--' for positionals; the first sentence is the point
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split(/\. (?=[A-Z])/)[0]!.replace(/^Unknown option/, 'unknown option'));
  }
}

/** A number option, checked. */
export function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a finite number, got '${value}'`);
  return n;
}

/**
 * `--param name=value` options as an object of numbers (parameter names and ranges are checked
 * by the activation itself, which says what is allowed).
 */
export function paramOptions(values: readonly string[] | undefined): Record<string, number> | undefined {
  if (!values?.length) return undefined;
  const params: Record<string, number> = {};
  for (const v of values) {
    const match = /^([A-Za-z_][\w]*)=(.+)$/.exec(v);
    const n = match ? Number(match[2]) : Number.NaN;
    if (!match || !Number.isFinite(n)) throw new UsageError(`--param takes name=number (e.g. --param negativeSlope=0.2), got '${v}'`);
    params[match[1]!] = n;
  }
  return params;
}
