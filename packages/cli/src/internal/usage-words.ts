/**
 * Usage errors in our own words. Node's `parseArgs` messages quote the
 * argument with unbalanced quotes and suggest `--` for positionals, which
 * fits no sessionstore command: the CLI reads the command line again itself
 * to say which argument is wrong and what was probably meant.
 */

/** The option table as parseArgs takes it (the fields read here). */
export type OptionTable = Readonly<Record<string, { readonly type: "string" | "boolean"; readonly short?: string }>>;

/** Edit distance (insert, delete, substitute, swap neighbours), for "did you mean". */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** `' (did you mean "x"?)'` for the closest candidate within 2 edits, or "". */
export function didYouMean(input: string, candidates: readonly string[], prefix = ""): string {
  let best: { name: string; score: number } | undefined;
  for (const name of candidates) {
    const score = distance(input.toLowerCase(), name);
    if (score <= Math.min(2, Math.max(1, Math.floor(name.length / 3))) && (best === undefined || score < best.score)) {
      best = { name, score };
    }
  }
  return best === undefined ? "" : ` (did you mean "${prefix}${best.name}"?)`;
}

/** What is wrong with `argv` for `options`, said plainly; called when parseArgs rejected it. */
export function describeBadArguments(argv: readonly string[], options: OptionTable): string {
  const names = Object.keys(options);
  const shorts = new Map(
    Object.entries(options).flatMap(([name, option]) => (option.short ? [[option.short, name] as const] : [])),
  );
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === "--") break;
    if (arg.startsWith("--")) {
      const [name = "", ...valueParts] = arg.slice(2).split("=");
      const option = options[name];
      if (option === undefined) return `unknown option "--${name}"${didYouMean(name, names, "--")}`;
      if (option.type === "boolean" && valueParts.length > 0) return `option --${name} takes no value`;
      if (option.type === "string" && valueParts.length === 0) {
        const next = argv[index + 1];
        if (next === undefined || next.startsWith("-")) return `option --${name} needs a value`;
        index += 1;
      }
    } else if (arg.startsWith("-") && arg.length > 1) {
      for (const letter of arg.slice(1)) {
        if (!shorts.has(letter))
          return `unknown option "-${letter}" (short options: ${[...shorts.keys()].map((s) => `-${s}`).join(", ")})`;
      }
    }
  }
  return "the command line could not be read";
}
