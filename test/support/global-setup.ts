import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where test/support/compiled-build.ts compiles the bot once for every file that spawns it. */
    buildDir: string;
  }
}

/** Makes the suite's build folder (empty: the first file that needs the compiled bot fills it). */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "preflight-build-"));
  project.provide("buildDir", dir);
  return () => rm(dir, { recursive: true, force: true });
}
