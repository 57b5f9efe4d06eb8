import { writeFile } from "node:fs/promises";
import { loadChecklists } from "../checklists/load-checklists.js";
import { formatProblem } from "../core/checklist/parse-checklist.js";
import { checklistJsonSchema } from "../core/checklist/schema.js";
import { createRun } from "../core/run/create-run.js";
import { planMarkdown } from "../render/run-markdown.js";
import type { CliIo } from "./io.js";
import { printSummary } from "./summary-command.js";

/** `preflight validate|preview|schema`: the checklist tools that need no Slack and no Redis. */

const USAGE = `usage:
  preflight validate [paths…]                  validate checklist files or folders (default: checklists/)
  preflight preview <checklist> [key=value…]   print a run of the checklist as Markdown, parameters resolved
  preflight schema [file]                      write the checklists' JSON Schema (default: checklists/schema.json)
  preflight summary <run-id>                   print a run's post-mortem as Markdown, read from Redis (REDIS_URL, REDIS_PREFIX)`;

export type { CliIo } from "./io.js";

export async function runCli(
  args: readonly string[],
  io: CliIo,
  checklistsDir = "checklists",
): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "validate":
      return validate(rest.length > 0 ? rest : [checklistsDir], io);
    case "preview":
      return preview(rest, io, checklistsDir);
    case "schema":
      return schema(rest[0] ?? `${checklistsDir}/schema.json`, io);
    case "summary":
      if (!rest[0]) {
        io.err(`summary needs a run id\n${USAGE}`);
        return 2;
      }
      return printSummary(rest[0], io, process.env);
    default:
      io.err(command === undefined || command === "help" ? USAGE : `unknown command "${command}"\n${USAGE}`);
      return command === "help" ? 0 : 2;
  }
}

async function validate(paths: string[], io: CliIo): Promise<number> {
  const { checklists, problems } = await loadChecklists(paths);
  for (const problem of problems) io.err(formatProblem(problem));
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

async function preview(args: string[], io: CliIo, checklistsDir: string): Promise<number> {
  const [id, ...pairs] = args;
  if (id === undefined) {
    io.err(`preview needs a checklist id\n${USAGE}`);
    return 2;
  }
  const { checklists } = await loadChecklists([checklistsDir]);
  const loaded = checklists.find((c) => c.checklist.id === id);
  if (!loaded) {
    io.err(
      `no valid checklist "${id}" in ${checklistsDir}; available: ${checklists.map((c) => c.checklist.id).join(", ")}`,
    );
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
  await writeFile(file, `${JSON.stringify(checklistJsonSchema(), null, 2)}\n`);
  io.out(`wrote ${file}`);
  return 0;
}
