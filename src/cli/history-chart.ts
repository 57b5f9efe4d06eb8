import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { stepFigures } from "../core/history/figures.js";
import type { HistoryEntry } from "../core/history/history-schema.js";

/**
 * `preflight history --chart durations.svg`: per step, what the runs took against what the
 * checklist expects, in minutes. Green band: the expected range; blue bar: p10–p90 of the runs;
 * grey line: min to max; black tick: the median; dots: each run. Vega-Lite compiled to Vega,
 * rendered headless to SVG (no browser, no canvas).
 */

const minutes = (seconds: number) => Math.round((seconds / 60) * 100) / 100;

export function chartSpec(checklist: string, env: string | null, entries: readonly HistoryEntry[]) {
  const figures = stepFigures(entries);
  const label = (index: number, title: string) => `${index + 1}. ${title.replace(/\s+/g, " ").trim()}`;
  const order = figures.map((step, index) => label(index, step.title));
  const steps = figures.map((step, index) => ({
    step: label(index, step.title),
    expectedMin: step.expected ? minutes(step.expected.min) : null,
    expectedMax: step.expected ? minutes(step.expected.max) : null,
    p10: step.p10 === undefined ? null : minutes(step.p10),
    p90: step.p90 === undefined ? null : minutes(step.p90),
    min: step.min === undefined ? null : minutes(step.min),
    max: step.max === undefined ? null : minutes(step.max),
    median: step.median === undefined ? null : minutes(step.median),
    runs: step.runs,
  }));
  const samples = figures.flatMap((step, index) =>
    step.samples.map((seconds) => ({ step: label(index, step.title), minutes: minutes(seconds) })),
  );
  const y = {
    field: "step",
    type: "nominal",
    sort: order,
    title: null,
    axis: { labelLimit: 0 },
  } as const;
  const x = (field: string) => ({ field, type: "quantitative", title: "minutes" }) as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `${checklist}${env ? ` (${env})` : ""}: step durations over ${entries.length} run${entries.length === 1 ? "" : "s"}`,
      subtitle:
        "green: expected range · blue: p10–p90 of the runs · grey: min–max · black tick: median · dots: runs",
    },
    width: 480,
    height: { step: 22 },
    layer: [
      {
        data: { values: steps.filter((s) => s.expectedMax !== null) },
        mark: { type: "bar", color: "#2ca02c", opacity: 0.25, size: 18 },
        encoding: { y, x: x("expectedMin"), x2: { field: "expectedMax" } },
      },
      {
        data: { values: steps.filter((s) => s.min !== null) },
        mark: { type: "rule", color: "#888888" },
        encoding: { y, x: x("min"), x2: { field: "max" } },
      },
      {
        data: { values: steps.filter((s) => s.p10 !== null) },
        mark: { type: "bar", color: "#1f77b4", opacity: 0.7, size: 8 },
        encoding: { y, x: x("p10"), x2: { field: "p90" }, tooltip: [{ field: "runs" }] },
      },
      {
        data: { values: steps.filter((s) => s.median !== null) },
        mark: { type: "tick", color: "black", thickness: 2, size: 14 },
        encoding: { y, x: x("median") },
      },
      {
        data: { values: samples },
        mark: { type: "circle", color: "#1f77b4", opacity: 0.45, size: 20 },
        encoding: { y, x: x("minutes") },
      },
      {
        // Every step gets its row, also one never timed (always skipped).
        data: { values: steps.map((s) => ({ step: s.step })) },
        mark: { type: "point", opacity: 0 },
        encoding: { y },
      },
    ],
  };
}

export async function renderChartSvg(
  checklist: string,
  env: string | null,
  entries: readonly HistoryEntry[],
): Promise<string> {
  const compiled = vegaLite.compile(chartSpec(checklist, env, entries) as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
