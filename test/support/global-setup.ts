import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildOnce } from "./build-once.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where test/support/compiled-build.ts keeps the one compiled bot of the run. */
    buildDir: string;
  }
}

/**
 * Makes the run's build folder. When the whole suite runs (no file filter), it starts compiling at
 * once, beside the first files, so the files that spawn the compiled bot rarely wait for it; a run
 * of a few files compiles only if one of them asks (test/support/compiled-build.ts).
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "preflight-build-"));
  project.provide("buildDir", dir);
  const building = wholeSuite() ? buildOnce(dir).catch(() => undefined) : undefined;
  return async () => {
    await building;
    await rm(dir, { recursive: true, force: true });
  };
}

/** `vitest run` with options only; a bare word after `run` filters files. */
function wholeSuite(): boolean {
  const args = process.argv.slice(process.argv.indexOf("run") + 1);
  return process.argv.includes("run") && args.every((arg) => arg.startsWith("-"));
}
