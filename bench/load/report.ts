/** The acknowledgement table of `npm run bench:load`: each app per rate, and the ratios. */
import type { PhaseStats } from "./drive.js";

export interface RatePhase extends PhaseStats {
  app: "bare" | "floor" | "preflight";
  /** CPU the app used during the phase (and until it went quiet), per click sent. */
  cpuMsPerClick: number | undefined;
  /** Of it, the kernel's on the app's behalf (system calls: sockets to Redis, Slack and the client). */
  systemMsPerClick: number | undefined;
  /** Web API calls the app made during the phase, by method (chat.postEphemeral: clicks refused, e.g. stale). */
  webApiCalls: Record<string, number>;
  /** The refusals' words (their first 48 characters) and how many clicks were told each. */
  refusals: Record<string, number>;
}

export const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0
    ? "–"
    : `${(a / b).toFixed(2)}×`;

export function printRates(phases: RatePhase[], rates: readonly number[]): void {
  const header = ["offered/s", "app", "ok/s", "p50 ms", "p99 ms", "max ms", "failed", "cpu ms/click"];
  const rows: string[][] = [];
  const ratioRow = (label: string, a: RatePhase | undefined, b: RatePhase | undefined) => [
    "",
    label,
    ratio(a?.throughputPerSecond, b?.throughputPerSecond),
    ratio(a?.p50Ms, b?.p50Ms),
    ratio(a?.p99Ms, b?.p99Ms),
    ratio(a?.maxMs, b?.maxMs),
    "",
    ratio(a?.cpuMsPerClick, b?.cpuMsPerClick),
  ];
  for (const rate of rates) {
    const of = (app: RatePhase["app"]) => phases.find((p) => p.app === app && p.offeredPerSecond === rate);
    const [bare, floor, preflight] = [of("bare"), of("floor"), of("preflight")];
    for (const p of [bare, floor, preflight]) {
      if (!p) continue;
      rows.push([
        String(rate),
        p.app,
        String(p.throughputPerSecond),
        String(p.p50Ms),
        String(p.p99Ms),
        String(p.maxMs),
        `${p.failed}/${p.sent}${p.late ? ` (${p.late} late)` : ""}`,
        String(p.cpuMsPerClick ?? "–"),
      ]);
    }
    rows.push(ratioRow("preflight/bare", preflight, bare));
    if (floor) rows.push(ratioRow("preflight/floor", preflight, floor), ratioRow("floor/bare", floor, bare));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
