import { createHash } from "node:crypto";
import { z } from "zod";
import type { Checklist } from "../core/checklist/schema.js";
import { PreflightError } from "../core/errors.js";
import { type Activity, type Note, noteSchema, type Run, runSchema } from "../core/run/run-schema.js";

/**
 * How a run is laid out in storage so that a click costs the same on a new run and on one with
 * 1,000 notes: the run document holds the run's state without its plan, history and notes; the
 * plan (the filled-in checklist) is stored once by content hash; history and notes are lists
 * appended in the commit. `get` hands back a working view: the state, the plan, the last
 * HISTORY_TAIL history entries plus every entry that moved the run on (what the engine's
 * staleness rule reads), and the last NOTES_TAIL notes. The whole record is `getComplete`.
 * Generic over the run schema: a field another feature adds to the run lives in the document.
 */

export const HISTORY_TAIL = 32;
export const NOTES_TAIL = 10;

export const activitySchema = runSchema.shape.history.element;
export const storedRunSchema = runSchema
  .omit({ plan: true, history: true, notes: true })
  .extend({ planHash: z.string().min(1) });

/** A history entry that moved the run on, with its place in the history list. */
const moveSchema = z.object({ i: z.number().int().nonnegative(), e: activitySchema });

export function planHashOf(plan: Checklist): string {
  return createHash("sha256").update(JSON.stringify(plan)).digest("hex").slice(0, 32);
}

/** The run document as stored: everything but the plan, history and notes. */
export function documentOf(run: Run, planHash: string): string {
  const { plan: _plan, history: _history, notes: _notes, ...state } = run;
  return JSON.stringify({ ...state, planHash });
}

/** What a working view was built from: how many entries are stored, how many it shows. */
export interface ViewBase {
  historyStored: number;
  /** Entries of the view's history not in the list yet (a run stored whole, before this layout). */
  historyPending: number;
  notesStored: number;
  notesPending: number;
}

/** What a commit appends: the entries the engine added to the view, and those that moved the run on. */
export interface Appended {
  history: string[];
  moves: string[];
  notes: string[];
}

/** The engine only appends to history and notes; anything else would be lost here, so it is a bug. */
export function appendedBy(view: Run, base: ViewBase, next: Run): Appended {
  const history = tailAfter(view.history, next.history, "history");
  const notes = tailAfter(view.notes, next.notes, "notes");
  const fromHistory = view.history.slice(view.history.length - base.historyPending);
  const fromNotes = view.notes.slice(view.notes.length - base.notesPending);
  const newHistory = [...fromHistory, ...history];
  let progress = view.history.at(-base.historyPending - 1)?.progress ?? 0;
  const moves: string[] = [];
  newHistory.forEach((entry, k) => {
    if (entry.progress !== undefined && entry.progress > progress)
      moves.push(JSON.stringify({ i: base.historyStored + k, e: entry }));
    progress = entry.progress ?? progress;
  });
  return {
    history: newHistory.map((entry) => JSON.stringify(entry)),
    moves,
    notes: [...fromNotes, ...notes].map((note) => JSON.stringify(note)),
  };
}

function tailAfter<T>(before: readonly T[], after: readonly T[], what: string): T[] {
  if (after.length < before.length || (before.length > 0 && after[before.length - 1] !== before.at(-1)))
    throw new PreflightError("bug", `the run's ${what} was rewritten, not appended to`);
  return after.slice(before.length);
}

/** The raw lists a view is built from (as read in one MULTI). */
export interface RawView {
  json: string;
  historyLength: number;
  historyTail: string[];
  moves: string[];
  notesLength: number;
  notesTail: string[];
}

/**
 * Builds the working view; `plan` looks a plan up by hash. A run stored whole (before this
 * layout) is read whole and written in the new layout by its next commit.
 */
export async function viewOf(
  runId: string,
  raw: RawView,
  plan: (hash: string) => Promise<Checklist>,
): Promise<{ run: Run; base: ViewBase }> {
  const data = JSON.parse(raw.json) as Record<string, unknown>;
  if ("plan" in data) {
    const run = parseWhole(runId, data);
    return {
      run,
      base: {
        historyStored: 0,
        historyPending: run.history.length,
        notesStored: 0,
        notesPending: run.notes.length,
      },
    };
  }
  const parsed = storedRunSchema.safeParse(data);
  if (!parsed.success) throw corrupt(runId, parsed.error.issues[0]?.message);
  const { planHash, ...state } = parsed.data;
  const byIndex = new Map<number, Activity>();
  for (const line of raw.moves) {
    const move = moveSchema.safeParse(JSON.parse(line));
    if (!move.success) throw corrupt(runId, "a history entry is malformed");
    byIndex.set(move.data.i, move.data.e);
  }
  const first = raw.historyLength - raw.historyTail.length;
  raw.historyTail.forEach((line, k) => {
    byIndex.set(first + k, parseWith(runId, activitySchema, line));
  });
  const history = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
  const notes = raw.notesTail.map((line) => parseWith(runId, noteSchema, line) as Note);
  const run: Run = { ...state, plan: await plan(planHash), history, notes };
  return {
    run,
    base: {
      historyStored: raw.historyLength,
      historyPending: 0,
      notesStored: raw.notesLength,
      notesPending: 0,
    },
  };
}

/** The whole run: the document, its plan and every history entry and note. */
export async function completeOf(
  runId: string,
  raw: { json: string; history: string[]; notes: string[] },
  plan: (hash: string) => Promise<Checklist>,
): Promise<Run> {
  const data = JSON.parse(raw.json) as Record<string, unknown>;
  if ("plan" in data) return parseWhole(runId, data);
  const parsed = storedRunSchema.safeParse(data);
  if (!parsed.success) throw corrupt(runId, parsed.error.issues[0]?.message);
  const { planHash, ...state } = parsed.data;
  return {
    ...state,
    plan: await plan(planHash),
    history: raw.history.map((line) => parseWith(runId, activitySchema, line)),
    notes: raw.notes.map((line) => parseWith(runId, noteSchema, line) as Note),
  };
}

function parseWhole(runId: string, data: unknown): Run {
  const parsed = runSchema.safeParse(data);
  if (!parsed.success) throw corrupt(runId, parsed.error.issues[0]?.message);
  return parsed.data;
}

function parseWith<T>(runId: string, schema: z.ZodType<T>, line: string): T {
  const parsed = schema.safeParse(JSON.parse(line));
  if (!parsed.success) throw corrupt(runId, "a history entry or note is malformed");
  return parsed.data;
}

const corrupt = (runId: string, detail = "invalid") =>
  new PreflightError("corrupt_data", `run ${runId} in Redis does not match the run schema: ${detail}`);

/**
 * The working view of a run just committed, as `viewOf` would read it back: what moved the run
 * on, the last HISTORY_TAIL other entries and the last NOTES_TAIL notes (so a kept view stays small).
 */
export function keptView(next: Run, base: ViewBase, appended: Appended): { run: Run; base: ViewBase } {
  const last = next.history.length - HISTORY_TAIL;
  let progress = 0;
  const history = next.history.filter((entry, k) => {
    const moved = entry.progress !== undefined && entry.progress > progress;
    progress = entry.progress ?? progress;
    return k >= last || moved;
  });
  return {
    run: { ...next, history, notes: next.notes.slice(-NOTES_TAIL) },
    base: {
      historyStored: base.historyStored + appended.history.length,
      historyPending: 0,
      notesStored: base.notesStored + appended.notes.length,
      notesPending: 0,
    },
  };
}
