import type { ResultRow, ResultsFile } from "./results-json.js";

function show(row: ResultRow | undefined): string {
  if (!row) return "-";
  if (row.value === null) return row.error ? "ERROR" : "-";
  if (row.kind === "ratio") return `${row.value.toFixed(2)}×`;
  if (row.kind === "scale")
    return `${row.value < 1 ? (row.value * 1000).toFixed(0) : row.value.toFixed(1)} ${row.value < 1 ? "µs" : "ms"}`;
  return String(row.value);
}

/** How the row moved, in the direction that is better for it. */
function change(before: ResultRow | undefined, after: ResultRow | undefined): string {
  if (!before || !after || before.value === null || after.value === null) return "";
  if (after.kind === "storm")
    return after.value === before.value
      ? "same"
      : `${after.value - before.value > 0 ? "+" : ""}${after.value - before.value}`;
  if (before.value === 0) return "";
  const relative = after.value / before.value - 1;
  const percent = `${relative >= 0 ? "+" : ""}${(relative * 100).toFixed(0)}%`;
  // Ratios: higher is better. Scale medians: lower is better.
  const better = after.kind === "ratio" ? relative > 0.05 : relative < -0.05;
  const worse = after.kind === "ratio" ? relative < -0.05 : relative > 0.05;
  return `${percent}${better ? " better" : worse ? " worse" : ""}`;
}

function load(row: ResultRow | undefined): string {
  return row?.loadAtStart === null || row?.loadAtStart === undefined ? "-" : row.loadAtStart.toFixed(1);
}

/**
 * One line per row present in either run: the value before and after, the
 * change, and the load average each was measured at (ratios of a loaded run
 * move more than those of an idle one).
 */
export function compareResults(before: ResultsFile, after: ResultsFile): string {
  const old = new Map(before.rows.map((row) => [row.id, row]));
  const now = new Map(after.rows.map((row) => [row.id, row]));
  const ids = [...new Set([...after.rows.map((row) => row.id), ...before.rows.map((row) => row.id)])];
  const header = [
    `before: ${before.startedAt} (${before.mode}), ${before.machine}, Node ${before.node}, load ${before.loadAverageAtStart.map((value) => value.toFixed(1)).join(" ")}`,
    `after:  ${after.startedAt} (${after.mode}), ${after.machine}, Node ${after.node}, load ${after.loadAverageAtStart.map((value) => value.toFixed(1)).join(" ")}`,
    before.machine !== after.machine || before.node !== after.node
      ? "NOTE: the two runs differ in machine or Node version; compare with care."
      : "",
  ].filter(Boolean);
  const width = Math.max(20, ...ids.map((id) => id.length));
  const lines = ids.map((id) => {
    const a = old.get(id);
    const b = now.get(id);
    return `${id.padEnd(width)}  ${show(a).padStart(9)} → ${show(b).padStart(9)}  ${change(a, b).padEnd(13)} load ${load(a)} → ${load(b)}`;
  });
  return [
    ...header,
    "",
    `${"row".padEnd(width)}  ${"before".padStart(9)}   ${"after".padStart(9)}  change`,
    ...lines,
  ].join("\n");
}
