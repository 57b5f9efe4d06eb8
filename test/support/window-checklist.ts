import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A one-step checklist scheduled as a window, announced an hour before it starts. */
export const WINDOW_CHECKLIST = `
id: quick-window
title: Quick window
summary: A window for tests, announced an hour before
announce_before: [1h]
phases:
  - id: only
    title: Only
    steps:
      - id: step-one
        title: Step one
`;

/** A checklists folder holding only the window's checklist. */
export async function windowChecklistsDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `preflight-${name}-`));
  await writeFile(join(dir, "quick-window.yaml"), WINDOW_CHECKLIST);
  return dir;
}
