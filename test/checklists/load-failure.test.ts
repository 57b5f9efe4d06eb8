import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadChecklists } from "../../src/checklists/load-checklists.js";
import { formatProblem, parseChecklist } from "../../src/core/checklist/parse-checklist.js";
import { RULES_CHECKLIST_YAML } from "../support/checklist-fixtures.js";

// Whatever a parser bug throws for one file must not stop the others from loading.
const explodingParser: typeof parseChecklist = (text, file) => {
  if (file.endsWith("explodes.yaml")) throw new RangeError("Maximum call stack size exceeded");
  return parseChecklist(text, file);
};

describe("an exception while loading one file", () => {
  it("becomes that file's problem; the other files load", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-explode-"));
    await writeFile(join(dir, "explodes.yaml"), "id: x\n");
    await writeFile(join(dir, "rules.yaml"), RULES_CHECKLIST_YAML);
    const { checklists, problems } = await loadChecklists([dir], explodingParser);
    expect(checklists.map((c) => c.checklist.id)).toEqual(["rules-demo"]);
    expect(problems.map(formatProblem)).toEqual([
      `${join(dir, "explodes.yaml")}:1:1  could not be loaded: Maximum call stack size exceeded`,
    ]);
  });
});
