import { execFile } from "node:child_process";
import { cp, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

/**
 * `tsc -p tsconfig.build.json` (what `npm run build` and the Dockerfile's build stage run) into
 * `root`, once however many processes ask: the first to make `root/lock` compiles, the others wait
 * for its `done` (or `failed`) marker. The build skips its type check (`--noCheck`): `npm run
 * typecheck` does that, the JavaScript is the same. It also reads no declaration file of the
 * packages src imports (`--noResolve`: some 5,000 files, two thirds of the compile's time), which
 * the JavaScript does not depend on either: with `isolatedModules` and `verbatimModuleSyntax` each
 * file is emitted from itself alone. `root` is laid out as the image is (dist/, bin/, package.json,
 * checklists/) and links the checkout's node_modules.
 */

const run = promisify(execFile);

/** Compiles into `root` unless another process already does; resolves once it is built. */
export async function buildOnce(root: string): Promise<void> {
  const owner = await mkdir(join(root, "lock")).then(
    () => true,
    () => false,
  );
  if (!owner) return waitForBuild(root);
  try {
    // tsc itself rather than through npx, which would first load npm.
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const options = ["-p", "tsconfig.build.json", "--noCheck", "--noResolve", "--outDir", join(root, "dist")];
    await run(process.execPath, [tsc, ...options], { timeout: 120_000 });
    await symlink(resolve("node_modules"), join(root, "node_modules")).catch(() => undefined);
    for (const copied of ["bin", "package.json", "checklists"])
      await cp(copied, join(root, copied), { recursive: true });
    await writeFile(join(root, "done"), "");
  } catch (error) {
    await writeFile(join(root, "failed"), String(error));
    throw error;
  }
}

// A file appears: no event crosses processes, so look every 100 ms.
async function waitForBuild(root: string): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 150_000; ) {
    if (await exists(join(root, "done"))) return;
    if (await exists(join(root, "failed")))
      throw new Error(`the shared build failed: ${await readFile(join(root, "failed"), "utf8")}`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
  throw new Error(`the shared build in ${root} did not finish within 150 s`);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
