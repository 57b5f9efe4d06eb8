import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { RULES_CHECKLIST_YAML } from "../support/checklist-fixtures.js";

async function cli(args: string[], checklistsDir?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, checklistsDir);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "preflight-cli-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe("preflight validate", () => {
  it("exits 1 and prints each problem as file:line:column, path and reason", async () => {
    const result = await cli(["validate", "test/fixtures/checklists"]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'test/fixtures/checklists/typo-and-undefined-name.yaml:12:9  phases[0].steps[0].verfy  unknown key "verfy": did you mean "verify"?',
    );
    expect(result.err).toMatch(/bad-yaml\.yaml:10:\d+ {2}YAML syntax/);
    expect(result.err).toMatch(/\d+ problems in 3 files$/);
  });

  it("exits 0 for valid files and names each", async () => {
    const dir = await dirWith({ "rules.yaml": RULES_CHECKLIST_YAML });
    const result = await cli(["validate", dir]);
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toBe(`ok  ${join(dir, "rules.yaml")}  (rules-demo)`);
  });

  it("refuses two files that use the same checklist id", async () => {
    const dir = await dirWith({ "a.yaml": RULES_CHECKLIST_YAML, "b.yaml": RULES_CHECKLIST_YAML });
    const result = await cli(["validate", dir]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${join(dir, "b.yaml")}:1:1  id  checklist id "rules-demo" is already used by ${join(dir, "a.yaml")}`,
    );
  });
});

describe("preflight preview", () => {
  it("prints the run as Markdown with parameters resolved", async () => {
    const dir = await dirWith({ "rules.yaml": RULES_CHECKLIST_YAML });
    const result = await cli(["preview", "rules-demo", "env=prod"], dir);
    expect(result.code).toBe(0);
    expect(result.out).toContain("# Rules demo (rules-demo)");
    expect(result.out).toContain("`env=prod`");
    expect(result.out).toMatch(
      /2\. \*\*Take snapshot demo-prod-\d{4}-\d{2}-\d{2}\*\* \(expected 5m–10m · may not be skipped\)/,
    );
    expect(result.out).toContain("3. **Apply the change** (a teammate verifies · downtime starts)");
    expect(result.out).toContain(
      "- 30d after step snapshot is done, in the run's channel: Delete snapshot demo-prod-",
    );
  });

  it("names the allowed values of a bad parameter and exits 1", async () => {
    const dir = await dirWith({ "rules.yaml": RULES_CHECKLIST_YAML });
    const result = await cli(["preview", "rules-demo", "env=production"], dir);
    expect(result).toMatchObject({ code: 1, err: "env=production is not allowed: use one of qa, prod" });
  });

  it("lists the checklists there are when the id is unknown", async () => {
    const dir = await dirWith({ "rules.yaml": RULES_CHECKLIST_YAML });
    const result = await cli(["preview", "nope"], dir);
    expect(result).toMatchObject({
      code: 1,
      err: `no valid checklist "nope" in ${dir}; available: rules-demo`,
    });
  });
});

describe("preflight schema", () => {
  it("writes the JSON Schema generated from the zod schema", async () => {
    const dir = await dirWith({});
    const file = join(dir, "schema.json");
    expect((await cli(["schema", file])).code).toBe(0);
    const schema = JSON.parse(await readFile(file, "utf8"));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(["id", "title", "summary", "phases"]));
  });
});

describe("the preflight binary", () => {
  it("runs as a command: usage on no arguments, exit 1 on invalid checklists", async () => {
    const run = promisify(execFile);
    const failed = await run("node", [
      "bin/preflight.js",
      "validate",
      "test/fixtures/checklists/bad-yaml.yaml",
    ]).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("bad-yaml.yaml:10:");
  });
});
