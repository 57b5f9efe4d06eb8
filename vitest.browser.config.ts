import { defineConfig } from "vitest/config";

/** `npm run test:browser`: the sandbox driven in Debian's Chromium (playwright-core), run by CI after `npm test`. */
export default defineConfig({
  test: {
    include: ["test/sandbox/browser-run.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    expect: { poll: { timeout: 10_000 } },
    pool: "forks",
  },
});
