import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The Chromium runs of the sandbox have a command of their own (`npm run test:browser`, which
    // CI runs too): a browser costs more CPU than any other file, and `npm test` stays under a minute.
    exclude: ["test/sandbox/browser-run.test.ts", "**/node_modules/**"],
    // A folder for the one compiled bot the build and kill tests share (test/support/compiled-build.ts).
    globalSetup: ["test/support/global-setup.ts"],
    // Generous, for a busy machine: a passing test never waits for it; only a hung one does.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Conditions waited for with expect.poll: likewise generous (vitest's default is 1 s).
    expect: { poll: { timeout: 10_000 } },
    // Tests against Redis isolate themselves by key prefix, so files may run in parallel.
    pool: "forks",
    // Most time in the end-to-end files is spent waiting on sockets, not computing: three workers
    // keep two cores busy (vitest's default on 2 cores is a single worker).
    maxWorkers: 3,
    // Each worker loads the bot's module graph (Bolt, the AWS SDK, BullMQ) once rather than once per
    // file: the tests keep no state in modules (each starts its own bot, Slack double and prefix).
    isolate: false,
  },
});
