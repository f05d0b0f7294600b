/**
 * Flags of the simpler `sealane` commands (start, status, verify, replica): `--name VALUE`,
 * `--name=VALUE` and boolean `--name`; anything else is a usage error (exit 2), named.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FlagSpec {
  /** Flags that take a value. */
  values?: readonly string[];
  /** Flags that are on or off. */
  booleans?: readonly string[];
}

export interface Flags {
  values: Map<string, string>;
  on: Set<string>;
}

export function parseFlags(argv: string[], spec: FlagSpec): Flags {
  const values = new Map<string, string>();
  const on = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (spec.booleans?.includes(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      on.add(name);
      continue;
    }
    if (!spec.values?.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (values.has(name)) throw new UsageError(`--${name} given twice`);
    if (eq < 0 && (i + 1 >= argv.length || argv[i + 1].startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    values.set(name, eq > 0 ? a.slice(eq + 1) : argv[++i]);
  }
  return { values, on };
}

/** JSON for machines: bigints as decimal strings. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/**
 * Runs a command body; a UsageError is printed with the command's usage and answers exit 2.
 */
export async function withUsage(
  command: string,
  usage: string,
  body: () => Promise<number>,
  err: (line: string) => void = (l) => console.error(l),
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`sealane ${command}: ${e.message}`);
    err(usage);
    return 2;
  }
}
