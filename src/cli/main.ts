import { readFile, writeFile } from "node:fs/promises";
import { loadChecklists } from "../checklists/load-checklists.js";
import { type ChecklistProblem, formatProblem } from "../core/checklist/parse-checklist.js";
import { checklistJsonSchema } from "../core/checklist/schema.js";
import { createRun } from "../core/run/create-run.js";
import { planMarkdown } from "../render/run-markdown.js";
import type { CliIo } from "./io.js";

/**
 * `preflight validate|preview|schema`: the checklist tools that need no Slack and no Redis. The
 * commands that read Redis (summary, history, suggest, export) load their modules when asked: the
 * checklist tools start without loading Redis, Slack's client or the chart library.
 */

const USAGE = `usage:
  preflight validate [paths…]                  validate checklist files or folders (default: $CHECKLISTS_DIR or checklists/)
  preflight preview <id|file> [key=value…]     print a run of the checklist as Markdown, parameters resolved
  preflight schema [file]                      write the checklists' JSON Schema (default: checklists/schema.json)
  preflight summary <run-id>                   print a run's post-mortem as Markdown, read from Redis (REDIS_URL, REDIS_PREFIX)
  preflight history <checklist> [--env prod] [--json] [--chart durations.svg]
                                               earlier runs and per-step durations, read from Redis
  preflight suggest <checklist> [--env prod]   a unified diff of the checklist file from what its runs show (stdout)
  preflight export <run-id>                    print a run and its log as JSON, read from Redis (REDIS_URL, REDIS_PREFIX)
  preflight --help | --version`;

/** A file with more problems than this is probably not a checklist at all: show the first ones. */
export const PROBLEMS_SHOWN_PER_FILE = 50;

export type { CliIo } from "./io.js";

export async function runCli(
  args: readonly string[],
  io: CliIo,
  checklistsDir = "checklists",
): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "validate":
        return await validate(rest.length > 0 ? rest : [checklistsDir], io);
      case "preview":
        return await preview(rest, io, checklistsDir);
      case "schema":
        return await schema(rest[0] ?? `${checklistsDir}/schema.json`, io);
      case "summary":
        if (!rest[0]) {
          io.err(`summary needs a run id\n${USAGE}`);
          return 2;
        }
        return await (await import("./summary-command.js")).printSummary(rest[0], io, process.env);
      case "history":
        return await (await import("./history-command.js")).printHistory(rest, io, process.env, USAGE);
      case "suggest":
        return await (await import("./suggest-command.js")).printSuggestions(
          rest,
          io,
          process.env,
          checklistsDir,
          USAGE,
        );
      case "export":
        if (!rest[0]) {
          io.err(`export needs a run id\n${USAGE}`);
          return 2;
        }
        return await (await import("./export-command.js")).exportRun(rest[0], io, process.env);
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return 0;
      case "version":
      case "--version":
      case "-v":
        io.out(await version());
        return 0;
      default:
        io.err(command === undefined ? USAGE : `unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    // Whatever was not foreseen is still one line, never a stack.
    io.err(`preflight ${command}: ${oneLine(error)}`);
    return 1;
  }
}

async function validate(paths: string[], io: CliIo): Promise<number> {
  const { checklists, problems } = await loadChecklists(paths);
  for (const line of cappedProblems(problems)) io.err(line);
  for (const loaded of checklists) io.out(`ok  ${loaded.file}  (${loaded.checklist.id})`);
  if (problems.length > 0) {
    const files = new Set(problems.map((p) => p.file)).size;
    io.err(
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}`,
    );
    return 1;
  }
  return 0;
}

/** Each file's first problems, then how many more there are. */
function cappedProblems(problems: readonly ChecklistProblem[]): string[] {
  const byFile = new Map<string, ChecklistProblem[]>();
  for (const problem of problems) byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), problem]);
  return [...byFile].flatMap(([file, list]) => {
    const shown = list.slice(0, PROBLEMS_SHOWN_PER_FILE).map(formatProblem);
    const more = list.length - shown.length;
    return more > 0 ? [...shown, `${file}  and ${more} more problem${more === 1 ? "" : "s"}`] : shown;
  });
}

const looksLikeFile = (arg: string) => /\.ya?ml$/.test(arg) || arg.includes("/");

async function preview(args: string[], io: CliIo, checklistsDir: string): Promise<number> {
  const [which, ...pairs] = args;
  if (which === undefined) {
    io.err(`preview needs a checklist id or file\n${USAGE}`);
    return 2;
  }
  const fromFile = looksLikeFile(which);
  const { checklists, problems } = await loadChecklists([fromFile ? which : checklistsDir]);
  const loaded = fromFile ? checklists[0] : checklists.find((c) => c.checklist.id === which);
  if (!loaded) {
    if (fromFile || checklists.length === 0) {
      for (const line of cappedProblems(problems)) io.err(line);
      if (!fromFile) io.err(`no valid checklist in ${checklistsDir} (set CHECKLISTS_DIR or name a file)`);
    } else {
      io.err(
        `no valid checklist "${which}" in ${checklistsDir}; available: ${checklists.map((c) => c.checklist.id).join(", ")}`,
      );
    }
    return 1;
  }
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) {
      io.err(`"${pair}" is not key=value`);
      return 2;
    }
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const result = createRun({
    id: "preview",
    checklist: loaded.checklist,
    source: { hash: loaded.hash, file: loaded.file },
    params,
    channel: loaded.checklist.channel ?? "#preview",
    owner: "you",
    now: new Date(),
    priorRuns: [],
    preview: true,
  });
  if (!result.ok) {
    io.err(result.refusal.message);
    return 1;
  }
  io.out(planMarkdown(result.run));
  return 0;
}

async function schema(file: string, io: CliIo): Promise<number> {
  try {
    await writeFile(file, `${JSON.stringify(checklistJsonSchema(), null, 2)}\n`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === "ENOENT" ? "its folder does not exist" : oneLine(error);
    io.err(`can't write ${file}: ${why}; name a file in a folder you can write to`);
    return 1;
  }
  io.out(`wrote ${file}`);
  return 0;
}

async function version(): Promise<string> {
  // src/cli/ and dist/cli/ both sit two folders below package.json.
  const text = await readFile(new URL("../../package.json", import.meta.url), "utf8");
  return `preflight ${(JSON.parse(text) as { version: string }).version}`;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}
