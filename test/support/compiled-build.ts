import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { inject } from "vitest";

/**
 * One compiled bot for the whole suite: `tsc -p tsconfig.build.json` (what `npm run build` and the
 * Dockerfile's build stage run) into a folder the global setup made (test/support/global-setup.ts).
 * The first test file that asks compiles; the others, in other workers, wait for its marker file.
 * The build skips its type check (`--noCheck`): `npm run typecheck` does that, the JavaScript is
 * the same. The folder is laid out as the image is (dist/, bin/, package.json, checklists/) and
 * links the checkout's node_modules: `node <root>/dist/main.js` runs as `node dist/main.js` does,
 * and `<root>/bin/preflight.js`, finding no src/, runs the compiled CLI as it does in the image.
 */

const run = promisify(execFile);
let built: Promise<string> | undefined;

/** The folder holding dist/, bin/, package.json and checklists/. */
export function compiledRoot(): Promise<string> {
  built ??= build();
  return built;
}

/** The folder holding main.js and the rest of src compiled. */
export async function compiledDist(): Promise<string> {
  return join(await compiledRoot(), "dist");
}

async function build(): Promise<string> {
  const root = inject("buildDir") ?? (await mkdtemp(join(tmpdir(), "preflight-build-")));
  const dist = join(root, "dist");
  const done = join(root, "done");
  const failed = join(root, "failed");
  let owner = true;
  await mkdir(join(root, "lock")).catch(() => {
    owner = false;
  });
  if (owner) {
    try {
      await run("npx", ["tsc", "-p", "tsconfig.build.json", "--noCheck", "--outDir", dist], {
        timeout: 120_000,
      });
      await symlink(resolve("node_modules"), join(root, "node_modules")).catch(() => undefined);
      for (const copied of ["bin", "package.json", "checklists"])
        await cp(copied, join(root, copied), { recursive: true });
      await writeFile(done, "");
    } catch (error) {
      await writeFile(failed, String(error));
      throw error;
    }
    return root;
  }
  // Another worker compiles: wait for its marker (a file appears; no event crosses processes).
  for (const started = Date.now(); Date.now() - started < 150_000; ) {
    if (await exists(done)) return root;
    if (await exists(failed)) throw new Error(`the shared build failed: ${await readFile(failed, "utf8")}`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
  throw new Error(`the shared build in ${root} did not finish within 150 s`);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
