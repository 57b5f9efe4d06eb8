import { describe, expect, it } from "vitest";
import { patchChecklist } from "../../../src/core/checklist/patch-checklist.js";
import type { Suggestion } from "../../../src/core/history/suggestions.js";

const range = (stepId: string, proposed: string): Suggestion => ({
  kind: "range",
  stepId,
  title: stepId,
  current: "1m",
  proposed,
  outside: 5,
  runs: 5,
});

describe("patching a checklist file in place", () => {
  it("edits flow-map steps and places comments above them, leaving every other byte", () => {
    const source = [
      "phases:",
      "  - id: main",
      "    steps:",
      "      - { id: a, title: A, duration: 1m }   # short",
      "      - { id: b, title: B }",
      "",
    ].join("\n");
    const patch = patchChecklist(source, [
      range("a", "2m-4m"),
      { kind: "skipped", stepId: "b", title: "B", runs: 3 },
    ]);
    expect(patch.skipped).toEqual([]);
    expect(patch.text).toBe(
      [
        "phases:",
        "  - id: main",
        "    steps:",
        "      - { id: a, title: A, duration: 2m-4m }   # short",
        "      # preflight: skipped in each of the last 3 runs: remove this step, or make it conditional?",
        "      - { id: b, title: B }",
        "",
      ].join("\n"),
    );
  });

  it("leaves out, saying why, a range that comes from an anchor and a step the file does not have", () => {
    const source = [
      "defaults: &timed { duration: 1m }",
      "phases:",
      "  - id: main",
      "    steps:",
      "      - id: a",
      "        <<: *timed",
      "",
    ].join("\n");
    const patch = patchChecklist(source, [range("a", "2m-4m"), range("gone", "2m")]);
    expect(patch.text).toBe(source);
    expect(patch.skipped.map((s) => s.why)).toEqual([
      "its duration is not written on the step itself",
      "the step is not in the file",
    ]);
  });
});
