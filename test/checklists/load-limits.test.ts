import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadChecklists } from "../../src/checklists/load-checklists.js";
import { formatProblem } from "../../src/core/checklist/parse-checklist.js";
import { startHarness } from "../support/bot-harness.js";
import { RULES_CHECKLIST_YAML } from "../support/checklist-fixtures.js";

/** Checklist loading is bounded and never fatal: one bad file is that file's problem. */

async function dirWith(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "preflight-limits-"));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

async function load(files: Record<string, string | Buffer>) {
  const dir = await dirWith(files);
  const result = await loadChecklists([dir]);
  return {
    dir,
    ids: result.checklists.map((c) => c.checklist.id),
    lines: result.problems.map(formatProblem),
  };
}

/** A checklist with `count` steps, each given by `step(i)` (YAML lines indented for a step list). */
function checklistWithSteps(id: string, count: number, step: (i: number) => string, head = ""): string {
  const steps = Array.from({ length: count }, (_, i) => step(i)).join("\n");
  return `${head}id: ${id}\ntitle: Many steps\nsummary: Generated\nphases:\n  - id: all\n    title: All\n    steps:\n${steps}\n`;
}

const ALIAS_BOMB = `id: bomb
title: Bomb
summary: Billion laughs
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
phases:
  - id: all
    title: All
    steps:
      - id: one
        title: One
`;

describe("loading checklists", () => {
  it("accepts an anchor shared by 150 steps", async () => {
    const yaml = checklistWithSteps("shared-anchor", 150, (i) =>
      i === 0
        ? "      - id: s0\n        title: Step 0\n        commands: &cmds\n          - make check"
        : `      - id: s${i}\n        title: Step ${i}\n        commands: *cmds`,
    );
    expect(await load({ "shared.yaml": yaml })).toMatchObject({ ids: ["shared-anchor"], lines: [] });
  });

  it("refuses an alias bomb as that file's file:line problem, and loads the others", async () => {
    const { dir, ids, lines } = await load({ "a-bomb.yaml": ALIAS_BOMB, "rules.yaml": RULES_CHECKLIST_YAML });
    expect(ids).toEqual(["rules-demo"]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^${join(dir, "a-bomb.yaml")}:5:\\d+ {2}YAML aliases repeat content more than 5,000 times`),
    );
  });

  it("refuses aliases that repeat a large part of the document, before checking it", async () => {
    const items = Array.from({ length: 60_000 }, () => "x").join(", ");
    const yaml = `${RULES_CHECKLIST_YAML}big: &big [${items}]\ncopies: [*big, *big, *big, *big]\n`;
    const { dir, lines } = await load({ "copies.yaml": yaml });
    expect(lines).toEqual([
      `${join(dir, "copies.yaml")}:2:1  the document expands to more than 200,000 values or 4,000,000 characters (YAML aliases repeat large parts of it): write the repeated part once, or split the checklist`,
    ]);
  });

  it("refuses more than 500 steps, saying how many there are", async () => {
    const step = (i: number) => `      - id: s${i}\n        title: Step ${i}`;
    const { dir, ids, lines } = await load({
      "big.yaml": checklistWithSteps("big", 501, step),
      "fine.yaml": checklistWithSteps("fine", 500, step),
    });
    expect(ids).toEqual(["fine"]);
    expect(lines).toEqual([
      `${join(dir, "big.yaml")}:5:3  phases  501 steps: a checklist may have at most 500 (split it into several checklists)`,
    ]);
  });

  it("refuses a file over 1 MB without parsing it", async () => {
    const { dir, ids, lines } = await load({
      "huge.yaml": `# ${"x".repeat(5 * 1024 * 1024)}\n`,
      "rules.yaml": RULES_CHECKLIST_YAML,
    });
    expect(ids).toEqual(["rules-demo"]);
    expect(lines).toEqual([`${join(dir, "huge.yaml")}  is 5.0 MB: a checklist file may be at most 1 MB`]);
  });

  it("refuses a binary file", async () => {
    const { dir, lines } = await load({ "image.yaml": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff]) });
    expect(lines).toEqual([
      `${join(dir, "image.yaml")}  is not a text file (not UTF-8, or holds NUL bytes): a checklist is YAML text`,
    ]);
  });

  it("says how long a text is and how long it may be", async () => {
    const yaml = RULES_CHECKLIST_YAML.replace("title: Rules demo", `title: ${"T".repeat(151)}`);
    const { dir, lines } = await load({ "long.yaml": yaml });
    expect(lines).toEqual([
      `${join(dir, "long.yaml")}:3:8  title  151 characters: at most 150 characters are allowed here`,
    ]);
  });

  it("refuses ids too long for a button, keys too long and texts longer than any field", async () => {
    const yaml = RULES_CHECKLIST_YAML.replace("id: announce", `id: a${"x".repeat(99)}`)
      .replace("env: {", `${"p".repeat(70)}: { type: string }\n  env: {`)
      .replace("title: Notify the business", `title: Notify\n        details: ${"d".repeat(5_000)}`);
    const { dir, lines } = await load({ "long.yaml": yaml });
    const file = join(dir, "long.yaml");
    expect(lines).toEqual([
      `${file}:6:3  parameters.pppppppppppppppppppp…  a key of 70 characters: at most 64 are allowed`,
      `${file}:13:13  phases[0].steps[0].id  an id of 100 characters: at most 64 are allowed`,
      `${file}:37:18  phases[2].steps[0].details  5,000 characters: no text may be longer than 4,000`,
    ]);
  });

  it("names a missing folder in one line, and an empty one", async () => {
    const dir = await dirWith({});
    await mkdir(join(dir, "empty"));
    const missing = join(dir, "nope");
    const result = await loadChecklists([missing, join(dir, "empty")]);
    expect(result.checklists).toEqual([]);
    expect(result.problems.map(formatProblem)).toEqual([
      `${missing}  no such file or folder`,
      `${join(dir, "empty")}  no checklist files (*.yaml, *.yml) in this folder`,
    ]);
  });
});

describe("the bot without its checklists folder", () => {
  it("starts with no checklists and says which folder is missing", async () => {
    const missing = join(tmpdir(), "preflight-no-such-folder");
    const harness = await startHarness({ checklistsDir: missing });
    try {
      const messages = harness.logs.map((line) => line.message);
      expect(messages).toContain(`checklist left out: ${missing}  no such file or folder`);
      const running = harness.logs.find((line) => line.message === "Preflight is running");
      expect(running?.context?.checklists).toEqual([]);
    } finally {
      await harness.stop();
    }
  });
});
