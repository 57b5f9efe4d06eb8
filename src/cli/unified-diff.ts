/**
 * A unified diff of two texts, line by line, as `git diff` writes it (`--- a/path`, `+++ b/path`,
 * `@@ -l,s +l,s @@` hunks with 3 lines of context, `\ No newline at end of file`), so `git apply`
 * takes it. Lines are matched with Myers' O(ND) algorithm: fast when the texts differ little.
 */

export interface DiffOptions {
  /** Paths as they appear after `a/` and `b/`. */
  oldPath: string;
  newPath: string;
  context?: number;
}

type Op = { kind: "same" | "del" | "add"; line: string; oldIndex: number; newIndex: number };

const NO_NEWLINE = "\\ No newline at end of file";

/**
 * The lines of a text. A last line without a newline carries git's marker with it, so it differs
 * from the same line with one (and the marker is written right after it in the diff).
 */
function splitLines(text: string): string[] {
  if (text === "") return [];
  const missingNewline = !text.endsWith("\n");
  const lines = (missingNewline ? text : text.slice(0, -1)).split("\n");
  if (missingNewline) lines[lines.length - 1] = `${lines[lines.length - 1]}\n${NO_NEWLINE}`;
  return lines;
}

/** The diff, or "" when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, options: DiffOptions): string {
  if (oldText === newText) return "";
  const before = splitLines(oldText);
  const after = splitLines(newText);
  const ops = editScript(before, after);
  const hunks = groupHunks(ops, options.context ?? 3);
  const out = [`--- a/${options.oldPath}`, `+++ b/${options.newPath}`];
  for (const hunk of hunks) {
    const oldCount = hunk.filter((op) => op.kind !== "add").length;
    const newCount = hunk.filter((op) => op.kind !== "del").length;
    const first = hunk[0] as Op;
    // A side with no lines in the hunk is numbered by the line before it (0 at the top).
    const oldStart = oldCount === 0 ? first.oldIndex : first.oldIndex + 1;
    const newStart = newCount === 0 ? first.newIndex : first.newIndex + 1;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const op of hunk) out.push(`${op.kind === "same" ? " " : op.kind === "del" ? "-" : "+"}${op.line}`);
  }
  return `${out.join("\n")}\n`;
}

function range(start: number, count: number): string {
  return count === 1 ? String(start) : `${start},${count}`;
}

/** Shortest edit script (Myers), as a list of kept, deleted and added lines in order. */
export function editScript(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  let v: number[] = new Array<number>(2 * max + 3).fill(0);
  const trace: number[][] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number));
      let x = down ? (v[offset + k + 1] as number) : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  trace.push(v);
  // Walk back from the end through the saved frontiers.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0; d--) {
    v = trace[d] as number[];
    const k = x - y;
    const down = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : (v[offset + prevK] as number);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x -= 1;
      y -= 1;
      ops.push({ kind: "same", line: a[x] as string, oldIndex: x, newIndex: y });
    }
    if (d === 0) break;
    if (down) {
      y -= 1;
      ops.push({ kind: "add", line: b[y] as string, oldIndex: x, newIndex: y });
    } else {
      x -= 1;
      ops.push({ kind: "del", line: a[x] as string, oldIndex: x, newIndex: y });
    }
  }
  return ops.reverse();
}

/** Changes with up to `context` kept lines around them; changes closer than 2×context share a hunk. */
function groupHunks(ops: readonly Op[], context: number): Op[][] {
  const changed = ops.flatMap((op, index) => (op.kind === "same" ? [] : [index]));
  const hunks: Op[][] = [];
  let start = -1;
  let end = -1;
  for (const index of changed) {
    if (start >= 0 && index - end - 1 <= 2 * context) {
      end = index;
      continue;
    }
    if (start >= 0)
      hunks.push(ops.slice(Math.max(0, start - context), Math.min(ops.length, end + context + 1)));
    start = index;
    end = index;
  }
  if (start >= 0)
    hunks.push(ops.slice(Math.max(0, start - context), Math.min(ops.length, end + context + 1)));
  return hunks;
}
