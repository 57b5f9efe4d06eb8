import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/observability/metrics.js";

describe("the Grafana dashboard", () => {
  it("queries only metrics Preflight exposes, and shows every preflight_ metric", async () => {
    const dashboard = JSON.parse(await readFile("docs/grafana-dashboard.json", "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const text = (await createMetrics().scrape()).body;
    const exposed = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]));
    const queried = new Set(
      dashboard.panels.flatMap((panel) =>
        panel.targets.flatMap((target) =>
          [...target.expr.matchAll(/\b((?:preflight|nodejs|process)_[a-z0-9_]+)/g)].map((match) =>
            (match[1] ?? "").replace(/_(bucket|count|sum)$/, ""),
          ),
        ),
      ),
    );
    expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
    expect([...exposed].filter((name) => name?.startsWith("preflight_") && !queried.has(name))).toEqual([]);
  });
});
