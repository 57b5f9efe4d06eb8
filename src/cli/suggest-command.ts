import { readFile } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { loadChecklists } from "../checklists/load-checklists.js";
import { formatProblem, parseChecklist } from "../core/checklist/parse-checklist.js";
import { patchChecklist } from "../core/checklist/patch-checklist.js";
import type { HistoryEntry } from "../core/history/history-schema.js";
import { MIN_RUNS_FOR_SUGGESTIONS, suggestChanges } from "../core/history/suggestions.js";
import { suggestionWords } from "../render/learn-words.js";
import { createRedisHistory } from "../store/redis-history.js";
import { parseHistoryArgs } from "./history-args.js";
import type { CliIo } from "./io.js";
import { connectRedis } from "./redis-connection.js";
import { unifiedDiff } from "./unified-diff.js";

/**
 * `preflight suggest <checklist> [--env prod]`: a unified diff against the checklist file, on
 * stdout and nothing else (git-style paths relative to the current folder, so `git apply` takes
 * it at the repository root); what it means, and anything else, on stderr. Exit 0 with or
 * without a diff.
 */
export async function printSuggestions(
  argv: readonly string[],
  io: CliIo,
  env: Record<string, string | undefined>,
  checklistsDir: string,
  usage: string,
): Promise<number> {
  const parsed = parseHistoryArgs(argv, ["--env"]);
  if (!parsed.ok) {
    io.err(`suggest: ${parsed.message}\n${usage}`);
    return 2;
  }
  const { checklist: id, env: environment } = parsed.args;
  const { checklists } = await loadChecklists([checklistsDir]);
  const loaded = checklists.find((entry) => entry.checklist.id === id);
  if (!loaded) {
    io.err(
      `no valid checklist "${id}" in ${checklistsDir}; available: ${checklists.map((c) => c.checklist.id).join(", ") || "none (set CHECKLISTS_DIR)"}`,
    );
    return 1;
  }
  const connection = await connectRedis(env, io);
  if (!connection) return 1;
  let entries: HistoryEntry[];
  try {
    entries = await createRedisHistory(connection.redis, { prefix: connection.prefix }).entries(
      id,
      environment,
    );
  } finally {
    await connection.redis.quit();
  }
  const diff = await suggestionDiff(loaded.file, loaded.checklist, entries, environment, io);
  if (diff !== "") io.out(diff);
  return 0;
}

/** The diff (possibly empty) for one checklist file; everything said about it goes to `io.err`. */
export async function suggestionDiff(
  file: string,
  checklist: { id: string; phases: { steps: { id: string; title: string; duration?: string }[] }[] },
  entries: readonly HistoryEntry[],
  environment: string | undefined,
  io: Pick<CliIo, "err">,
): Promise<string> {
  const where = environment ? ` in ${environment}` : "";
  const steps = checklist.phases.flatMap((phase) =>
    phase.steps.map((step) => ({
      id: step.id,
      title: step.title,
      ...(step.duration ? { duration: step.duration } : {}),
    })),
  );
  const learn = suggestChanges(steps, entries);
  if (!learn.enough) {
    io.err(
      `${checklist.id}${where} has ${learn.runs} run${learn.runs === 1 ? "" : "s"} in its history; suggestions need at least ${MIN_RUNS_FOR_SUGGESTIONS}. No diff.`,
    );
    return "";
  }
  if (learn.suggestions.length === 0) {
    io.err(`${checklist.id}${where}: nothing to change after ${learn.runs} runs. No diff.`);
    return "";
  }
  const source = await readFile(file, "utf8");
  const patch = patchChecklist(source, learn.suggestions);
  const path = relative(process.cwd(), resolve(file)).split(sep).join("/");
  const check = parseChecklist(patch.text, path);
  if (!check.ok) {
    io.err(`the suggested ${path} would not validate, so no diff is printed:`);
    for (const problem of check.problems) io.err(`  ${formatProblem(problem)}`);
    return "";
  }
  io.err(`${checklist.id}${where}, from ${learn.runs} runs:`);
  for (const suggestion of patch.applied) io.err(`- ${suggestionWords(suggestion)}`);
  for (const { suggestion, why } of patch.skipped)
    io.err(`- (not in the diff: ${why}) ${suggestionWords(suggestion)}`);
  const diff = unifiedDiff(source, patch.text, { oldPath: path, newPath: path });
  // The diff ends with a newline; io.out adds one more.
  return diff.endsWith("\n") ? diff.slice(0, -1) : diff;
}
