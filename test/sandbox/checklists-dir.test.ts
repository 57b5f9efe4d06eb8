import { randomUUID } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox.js";
import { REDIS_URL } from "../support/redis.js";

/** `npm run sandbox -- --checklists ./my-checklists`: rehearse new checklists, see what is wrong with the rest. */

let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "preflight-checklists-"));
  copyFileSync("checklists/db-upgrade.yaml", join(dir, "db-upgrade.yaml"));
  writeFileSync(
    join(dir, "broken.yaml"),
    "id: broken\ntitle: A checklist\nphases:\n  - id: only\n    steps: nope\n",
  );
  sandbox = await startSandbox({
    redisUrl: REDIS_URL,
    redisPrefix: `preflight-test-sandbox-${randomUUID().slice(0, 8)}:`,
    checklistsDir: dir,
  });
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the sandbox with a folder of checklists", () => {
  it("shows each invalid file with its file:line problems in the page and runs the valid ones", async () => {
    const state = (await (await fetch(new URL("/api/state?user=UALICE", sandbox.url))).json()) as {
      checklists: { dir: string; loaded: number; problems: string[] };
    };
    expect(state.checklists.loaded).toBe(1);
    expect(state.checklists.problems.length).toBeGreaterThan(0);
    expect(state.checklists.problems.every((p) => /broken\.yaml:\d+/.test(p))).toBe(true);

    const listed = await fetch(new URL("/api/send", sandbox.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "UALICE", channel: "CINVOICINGDEV", text: "/maintenance list" }),
    });
    expect(listed.status).toBe(200);
    const after = (await (await fetch(new URL("/api/state?user=UALICE", sandbox.url))).json()) as {
      ephemerals: { text: string }[];
    };
    const list = after.ephemerals.map((e) => e.text).join("\n");
    expect(list).toContain("db-upgrade");
    expect(list).not.toContain("broken");
  });
});
