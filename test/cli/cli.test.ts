import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { RULES_CHECKLIST_YAML } from "../support/checklist-fixtures.js";
import { compiledRoot } from "../support/compiled-build.js";

const run = promisify(execFile);

/**
 * The real command in a child process: what a person sees, exit code included. It is the image's
 * (bin/preflight.js beside the compiled dist/, test/support/compiled-build.ts): no TypeScript to
 * compile at each start. "the preflight binary" below runs the checkout's, through tsx.
 */
async function binary(args: string[], env: Record<string, string> = {}) {
  const root = await compiledRoot();
  const result = await run("node", [join(root, "bin", "preflight.js"), ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
    (failed: { code: number; stdout: string; stderr: string }) => failed,
  );
  const output = `${result.stdout}${result.stderr}`;
  return {
    code: result.code,
    stdout: result.stdout,
    stderr: result.stderr,
    lines: output.trim().split("\n"),
  };
}

const ALIAS_BOMB = [
  "id: bomb",
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
  "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
  "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
  "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
  "",
].join("\n");

/**
 * Every test here has files of its own: they run at once (describe.concurrent), so the commands
 * spawned wait on each other's start no longer than on the machine. They start once the suite's
 * build is there: its compiling counts against this hook's time, not a test's.
 */
beforeAll(() => compiledRoot(), 150_000);

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

describe.concurrent("preflight validate", () => {
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

describe.concurrent("preflight preview", () => {
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

describe.concurrent("preflight schema", () => {
  it("writes the JSON Schema generated from the zod schema", async () => {
    const dir = await dirWith({});
    const file = join(dir, "schema.json");
    expect((await cli(["schema", file])).code).toBe(0);
    const schema = JSON.parse(await readFile(file, "utf8"));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(["id", "title", "summary", "phases"]));
  });
});

describe.concurrent("the preflight binary", () => {
  it("runs as a command: usage on no arguments, exit 1 on invalid checklists", async () => {
    const failed = await run("node", [
      "bin/preflight.js",
      "validate",
      "test/fixtures/checklists/bad-yaml.yaml",
    ]).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("bad-yaml.yaml:10:");
  });
});

describe.concurrent("preflight validate on what is not a checklist", () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    [
      "an alias bomb",
      async () => join(await dirWith({ "bomb.yaml": ALIAS_BOMB }), "bomb.yaml"),
      /bomb\.yaml:3:\d+ {2}YAML aliases repeat content more than 5,000 times/,
    ],
    [
      "a 5 MB file",
      async () => join(await dirWith({ "huge.yaml": `# ${"x".repeat(5 * 1024 * 1024)}\n` }), "huge.yaml"),
      /huge\.yaml {2}is 5\.0 MB: a checklist file may be at most 1 MB$/,
    ],
    [
      "a binary file",
      async () => {
        const dir = await dirWith({});
        await writeFile(
          join(dir, "logo.yaml"),
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]),
        );
        return join(dir, "logo.yaml");
      },
      /logo\.yaml {2}is not a text file/,
    ],
    [
      "a missing path",
      async () => join(await dirWith({}), "no-such-folder"),
      /no-such-folder {2}no such file or folder$/,
    ],
    [
      "an empty folder",
      async () => {
        const dir = join(await dirWith({}), "empty");
        await mkdir(dir);
        return dir;
      },
      /empty {2}no checklist files \(\*\.yaml, \*\.yml\) in this folder$/,
    ],
  ];

  it("says each in one line, exits 1 and prints no stack", { timeout: 60_000 }, async () => {
    const paths = await Promise.all(cases.map(([, make]) => make()));
    const result = await binary(["validate", ...paths]);
    expect(result.code).toBe(1);
    expect(result.lines).toHaveLength(cases.length + 1);
    for (const [name, , expected] of cases) {
      expect(
        result.lines.filter((line) => expected.test(line)),
        name,
      ).toHaveLength(1);
    }
    expect(result.lines.at(-1)).toBe("5 problems in 5 files");
    expect(result.lines.join("\n")).not.toMatch(/^\s+at /m);
  });

  it("shows a file's first 50 problems, then how many more", async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `unknown_${i}: 1`).join("\n");
    const dir = await dirWith({ "noisy.yaml": `${RULES_CHECKLIST_YAML}${keys}\n` });
    const result = await cli(["validate", dir]);
    const lines = result.err.split("\n");
    expect(result.code).toBe(1);
    expect(lines).toHaveLength(52);
    expect(lines[49]).toContain('unknown key "unknown_49"');
    expect(lines[50]).toBe(`${join(dir, "noisy.yaml")}  and 10 more problems`);
    expect(lines[51]).toBe("60 problems in 1 file");
  });
});

describe.concurrent("preflight schema to a path it can't write", () => {
  // In-process: that the command prints what runCli says, with its exit code, the spawned ones show.
  it("says so in one line and exits 1", async () => {
    const file = join(await dirWith({}), "no-such-folder", "schema.json");
    const result = await cli(["schema", file]);
    expect(result).toMatchObject({ code: 1, out: "" });
    expect(result.err.split("\n")).toEqual([
      `can't write ${file}: its folder does not exist; name a file in a folder you can write to`,
    ]);
  });
});

describe.concurrent("preflight --help and --version", () => {
  it("prints the usage on stdout and exits 0", async () => {
    const result = await cli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^usage:\n {2}preflight validate/);
  });

  it("prints the package's version", { timeout: 60_000 }, async () => {
    const { version } = JSON.parse(await readFile("package.json", "utf8"));
    const result = await binary(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `preflight ${version}\n` });
  });
});

describe.concurrent("preflight preview of a file, and CHECKLISTS_DIR", () => {
  const FLUSH = RULES_CHECKLIST_YAML.replace("title: Rules demo", "title: Flush the {{env}} cache").replace(
    "summary: One of everything the run rules care about",
    "summary: Flushes {{env}}",
  );

  it("previews a file named by path, title and summary templated", async () => {
    const dir = await dirWith({ "flush.yaml": FLUSH });
    const result = await cli(["preview", join(dir, "flush.yaml"), "env=prod"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("# Flush the prod cache (rules-demo)");
    expect(result.out).toContain("> Flushes prod");
  });

  it("prints the problems of an invalid file instead of a plan", async () => {
    const file = join(await dirWith({ "bomb.yaml": ALIAS_BOMB }), "bomb.yaml");
    const result = await cli(["preview", file]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/bomb\.yaml:3:\d+ {2}YAML aliases repeat content/);
  });

  it("looks checklists up by id in CHECKLISTS_DIR", { timeout: 60_000 }, async () => {
    const dir = await dirWith({ "flush.yaml": FLUSH });
    const found = await binary(["preview", "rules-demo", "env=qa"], { CHECKLISTS_DIR: dir });
    expect(found.code).toBe(0);
    expect(found.stdout).toContain("# Flush the qa cache (rules-demo)");
  });
});
