import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../src/cli/unified-diff.js";

const exec = promisify(execFile);
const lines = (n: number, tag = "line") => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`);

/** Writes `before` into a fresh git repository, applies the diff with git, returns the result. */
async function gitApplied(before: string, diff: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "preflight-diff-"));
  await exec("git", ["init", "-q"], { cwd: dir });
  await writeFile(join(dir, "file.yaml"), before);
  await writeFile(join(dir, "change.patch"), diff);
  await exec("git", ["apply", "--check", "change.patch"], { cwd: dir });
  await exec("git", ["apply", "change.patch"], { cwd: dir });
  return readFile(join(dir, "file.yaml"), "utf8");
}

const CASES: Record<string, [string, string]> = {
  "a line changed in the middle": [
    `${lines(20).join("\n")}\n`,
    `${lines(20)
      .map((l) => (l === "line 10" ? "line ten" : l))
      .join("\n")}\n`,
  ],
  "lines added at the top and removed at the end, far apart (two hunks)": [
    `${lines(30).join("\n")}\n`,
    `# first\n${lines(28).join("\n")}\n`,
  ],
  "comments inserted before items, close together (one hunk)": [
    `${lines(12).join("\n")}\n`,
    `${lines(12)
      .flatMap((l) => (l === "line 4" || l === "line 7" ? [`# about ${l}`, l] : [l]))
      .join("\n")}\n`,
  ],
  "a file without a newline at its end": [`${lines(5).join("\n")}`, `${lines(5).join("\n")}\nline 6`],
  "a newline added at the end": [`${lines(3).join("\n")}`, `${lines(3).join("\n")}\n`],
  "an empty file filled": ["", "a\nb\n"],
};

describe("the unified diff", () => {
  for (const [name, [before, after]] of Object.entries(CASES)) {
    it(`is taken by git apply: ${name}`, async () => {
      const diff = unifiedDiff(before, after, { oldPath: "file.yaml", newPath: "file.yaml" });
      expect(diff.startsWith("--- a/file.yaml\n+++ b/file.yaml\n@@ ")).toBe(true);
      expect(await gitApplied(before, diff)).toBe(after);
    });
  }

  it("is empty for equal texts and writes hunks with 3 lines of context", () => {
    expect(unifiedDiff("a\n", "a\n", { oldPath: "f", newPath: "f" })).toBe("");
    const diff = unifiedDiff(
      `${lines(20).join("\n")}\n`,
      `${lines(20)
        .map((l) => (l === "line 10" ? "line ten" : l))
        .join("\n")}\n`,
      { oldPath: "f", newPath: "f" },
    );
    expect(diff).toBe(
      [
        "--- a/f",
        "+++ b/f",
        "@@ -7,7 +7,7 @@",
        " line 7",
        " line 8",
        " line 9",
        "-line 10",
        "+line ten",
        " line 11",
        " line 12",
        " line 13",
        "",
      ].join("\n"),
    );
  });
});
