import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { buildOnce } from "./build-once.js";

/**
 * One compiled bot for the whole suite, in the folder the global setup made
 * (test/support/global-setup.ts; it starts compiling there at once when the whole suite runs).
 * Laid out as the image is: `node <root>/dist/main.js` runs as `node dist/main.js` does, and
 * `<root>/bin/preflight.js`, finding no src/, runs the compiled CLI as it does in the image.
 */

let built: Promise<string> | undefined;

/** The folder holding dist/, bin/, package.json and checklists/. */
export function compiledRoot(): Promise<string> {
  built ??= (async () => {
    const root = inject("buildDir") ?? (await mkdtemp(join(tmpdir(), "preflight-build-")));
    await buildOnce(root);
    return root;
  })();
  return built;
}

/** The folder holding main.js and the rest of src compiled. */
export async function compiledDist(): Promise<string> {
  return join(await compiledRoot(), "dist");
}
