import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
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
  // Asked again only when the file or the checkout's HEAD moved: a process that loads the same
  // folder again (the tests start many bots) spawns git once per file, not once per start.
  const head = await headOf(dirname(file));
  if (head === "none") return recordedCommitOf(dirname(file));
  const key = head && `${file}\0${head}\0${(await stat(file).catch(() => undefined))?.mtimeMs}`;
  if (key && commits.has(key)) return commits.get(key);
  const commit = await gitCommitOf(file);
  if (key) remember(commits, key, commit);
  return commit;
}

const commits = new Map<string, string | undefined>();
/** Parsed checklists by file and content, handed out as copies (see parsedOnce). */
const parsed = new Map<string, ReturnType<typeof parseChecklist>>();
const REMEMBERED = 256;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= REMEMBERED) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

/**
 * Where HEAD of the checkout holding `folder` stands, as its reflog's size and time (every commit,
 * checkout or reset appends to it); "none" when no checkout holds it (git would fail: no need to
 * ask), undefined when it can't be told (a worktree's `.git` file, no reflog, GIT_DIR set).
 */
async function headOf(folder: string): Promise<string | undefined> {
  if (process.env.GIT_DIR) return undefined;
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const found = await stat(join(dir, ".git")).catch(() => undefined);
    if (found) {
      if (!found.isDirectory()) return undefined;
      const log = await stat(join(dir, ".git", "logs", "HEAD")).catch(() => undefined);
      return log ? `${dir}:${log.size}:${log.mtimeMs}` : undefined;
    }
    if (dirname(dir) === dir) return "none";
  }
}

async function gitCommitOf(file: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(
      "git",
      ["-C", dirname(file), "log", "-1", "--format=%H", "--", basename(file)],
      { timeout: 5_000 },
    );
    if (/^[0-9a-f]{40}$/.test(stdout.trim())) return stdout.trim();
  } catch {
    // Not a checkout, or git is missing: the commit recorded at image build, if any.
  }
  return recordedCommitOf(dirname(file));
}

/**
 * An image has no .git: its build records the checklists' commit in `<folder>/.commit` (the
 * Dockerfile's CHECKLISTS_COMMIT build argument). Without it the summary says no commit is known.
 */
async function recordedCommitOf(folder: string): Promise<string | undefined> {
  try {
    const recorded = (await readFile(join(folder, ".commit"), "utf8")).trim();
    return /^[0-9a-f]{40}$/.test(recorded) ? recorded : undefined;
  } catch {
    return undefined;
  }
}

export interface LoadResult {
  checklists: LoadedChecklist[];
  problems: ChecklistProblem[];
}

/** A checklist is a text file a person writes; anything larger is a mistake or an attack. */
export const MAX_CHECKLIST_BYTES = 1024 * 1024;

const isChecklistFile = (name: string) => name.endsWith(".yaml") || name.endsWith(".yml");

/** A problem with a path as a whole (no line to point at): printed as `path  reason`. */
const pathProblem = (file: string, message: string): ChecklistProblem => ({
  file,
  line: 0,
  column: 0,
  path: "",
  message,
});

/** Files and folders → the checklist files in them (folders are read one level deep, sorted). */
export async function checklistFiles(
  paths: readonly string[],
): Promise<{ files: string[]; problems: ChecklistProblem[] }> {
  const files: string[] = [];
  const problems: ChecklistProblem[] = [];
  for (const path of paths) {
    try {
      if ((await stat(path)).isDirectory()) {
        const names = (await readdir(path)).filter(isChecklistFile).sort();
        if (names.length === 0)
          problems.push(pathProblem(path, "no checklist files (*.yaml, *.yml) in this folder"));
        files.push(...names.map((name) => join(path, name)));
      } else {
        files.push(path);
      }
    } catch (error) {
      problems.push(pathProblem(path, unreadable(error)));
    }
  }
  return { files, problems };
}

/** Reads and validates every checklist; an invalid file is reported and left out, the rest load. */
export async function loadChecklists(
  paths: readonly string[],
  /** The parser (tests hand in one that throws, to show one file can't stop the others). */
  parse: typeof parseChecklist = parseChecklist,
): Promise<LoadResult> {
  const checklists: LoadedChecklist[] = [];
  const { files, problems } = await checklistFiles(paths);
  // Every file at once: asking git for each file's last commit is most of the time.
  const results = await Promise.all(
    files.map(async (file) => {
      try {
        return { file, loaded: await loadOne(file, parse) };
      } catch (error) {
        // Whatever goes wrong with one file is that file's problem; the others still load.
        const reason = error instanceof Error ? error.message : String(error);
        const problem = `could not be loaded: ${reason.split("\n")[0]}`;
        return { file, loaded: [{ file, line: 1, column: 1, path: "", message: problem }] };
      }
    }),
  );
  // In file order, so which of two files with one id is left out does not depend on timing.
  const seenIds = new Map<string, string>();
  for (const { file, loaded } of results) {
    if (Array.isArray(loaded)) {
      problems.push(...loaded);
      continue;
    }
    const earlier = seenIds.get(loaded.checklist.id);
    if (earlier) {
      problems.push({
        file,
        line: 1,
        column: 1,
        path: "id",
        message: `checklist id "${loaded.checklist.id}" is already used by ${earlier}`,
      });
      continue;
    }
    seenIds.set(loaded.checklist.id, file);
    checklists.push(loaded);
  }
  return { checklists, problems };
}

async function loadOne(
  file: string,
  parse: typeof parseChecklist,
): Promise<LoadedChecklist | ChecklistProblem[]> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (!info.isFile())
      return [pathProblem(file, "is not a regular file: name a checklist file or a folder")];
    if (info.size > MAX_CHECKLIST_BYTES) {
      return [pathProblem(file, `is ${megabytes(info.size)}: a checklist file may be at most 1 MB`)];
    }
    bytes = await readFile(file);
  } catch (error) {
    return [pathProblem(file, unreadable(error))];
  }
  const text = decodeText(bytes);
  if (text === undefined) {
    return [
      pathProblem(file, "is not a text file (not UTF-8, or holds NUL bytes): a checklist is YAML text"),
    ];
  }
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 12);
  const result = parsedOnce(text, file, hash, parse);
  if (!result.ok) return result.problems;
  const commit = await lastCommitOf(file);
  return {
    checklist: result.checklist,
    file,
    hash,
    ...(commit ? { commit } : {}),
  };
}

/** Parses a file's text once per content in this process; each caller gets its own copy. */
function parsedOnce(text: string, file: string, hash: string, parse: typeof parseChecklist) {
  if (parse !== parseChecklist) return parse(text, file);
  const key = `${file}\0${hash}`;
  let result = parsed.get(key);
  if (!result) {
    result = parse(text, file);
    remember(parsed, key, result);
  }
  return structuredClone(result);
}

function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function megabytes(size: number): string {
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

function unreadable(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file or folder";
  if (code === "EACCES" || code === "EPERM") return `can't be read (${code}): check its permissions`;
  return `can't be read: ${error instanceof Error ? error.message : String(error)}`;
}
