import { execFileSync } from "node:child_process";
import { copyFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadChecklists } from "../../src/checklists/load-checklists.js";

/** Loading the same folder again in one process (the tests start many bots) reuses what it can. */

async function checkout() {
  const dir = await mkdtemp(join(tmpdir(), "preflight-git-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      encoding: "utf8",
    }).trim();
  git("init", "-q");
  await copyFile("checklists/db-upgrade.yaml", join(dir, "db-upgrade.yaml"));
  git("add", ".");
  git("commit", "-q", "-m", "first");
  return { dir, git, head: () => git("rev-parse", "HEAD") };
}

describe("loading a checklist folder again", () => {
  it("hands each caller a checklist of its own", async () => {
    const first = await loadChecklists(["checklists/db-upgrade.yaml"]);
    const again = await loadChecklists(["checklists/db-upgrade.yaml"]);
    expect(again.checklists[0]?.checklist).toEqual(first.checklists[0]?.checklist);
    expect(again.checklists[0]?.checklist).not.toBe(first.checklists[0]?.checklist);
  });

  it("names the new commit once HEAD moved, even when the file was saved before it", async () => {
    const repo = await checkout();
    expect((await loadChecklists([repo.dir])).checklists[0]?.commit).toBe(repo.head());
    // Saved now, committed later: the file's time does not change at the commit, HEAD does.
    const file = join(repo.dir, "db-upgrade.yaml");
    await writeFile(file, `# reviewed\n${await readFile(file, "utf8")}`);
    const saved = await loadChecklists([repo.dir]);
    expect(saved.checklists[0]?.commit).not.toBe(undefined);
    repo.git("commit", "-q", "-am", "second");
    expect((await loadChecklists([repo.dir])).checklists[0]?.commit).toBe(repo.head());
    // A commit of another file leaves this file's last commit where it was.
    const second = repo.head();
    await writeFile(join(repo.dir, "notes.txt"), "n");
    repo.git("add", "notes.txt");
    repo.git("commit", "-q", "-m", "third");
    expect((await loadChecklists([repo.dir])).checklists[0]?.commit).toBe(second);
  });
});
