import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { type ChecklistProblem, parseChecklist } from "../core/checklist/parse-checklist.js";
import type { Checklist } from "../core/checklist/schema.js";

export interface LoadedChecklist {
  checklist: Checklist;
  file: string;
  /** sha256 of the file's bytes (first 12 hex digits): which version of the checklist a run used. */
  hash: string;
  /** The last git commit that changed the file, when the checklists folder is in a git checkout. */
  commit?: string;
}

const run = promisify(execFile);

/** The last commit touching a file, or undefined outside a git checkout (or without git). */
export async function lastCommitOf(file: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(
      "git",
      ["-C", dirname(file), "log", "-1", "--format=%H", "--", basename(file)],
      { timeout: 5_000 },
    );
    return /^[0-9a-f]{40}$/.test(stdout.trim()) ? stdout.trim() : undefined;
  } catch {
    // Not a checkout, or git is missing: the summary says so instead of naming a commit.
    return undefined;
  }
}

export interface LoadResult {
  checklists: LoadedChecklist[];
  problems: ChecklistProblem[];
}

const isChecklistFile = (name: string) => name.endsWith(".yaml") || name.endsWith(".yml");

/** Files and folders → the checklist files in them (folders are read one level deep, sorted). */
export async function checklistFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter(isChecklistFile).sort();
      files.push(...names.map((name) => join(path, name)));
    } else {
      files.push(path);
    }
  }
  return files;
}

/** Reads and validates every checklist; an invalid file is reported and left out, the rest load. */
export async function loadChecklists(paths: readonly string[]): Promise<LoadResult> {
  const checklists: LoadedChecklist[] = [];
  const problems: ChecklistProblem[] = [];
  const seenIds = new Map<string, string>();
  for (const file of await checklistFiles(paths)) {
    const text = await readFile(file, "utf8");
    const result = parseChecklist(text, file);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const earlier = seenIds.get(result.checklist.id);
    if (earlier) {
      problems.push({
        file,
        line: 1,
        column: 1,
        path: "id",
        message: `checklist id "${result.checklist.id}" is already used by ${earlier}`,
      });
      continue;
    }
    seenIds.set(result.checklist.id, file);
    const commit = await lastCommitOf(file);
    checklists.push({
      checklist: result.checklist,
      file,
      hash: createHash("sha256").update(text).digest("hex").slice(0, 12),
      ...(commit ? { commit } : {}),
    });
  }
  return { checklists, problems };
}
