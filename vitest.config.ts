import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests against Redis isolate themselves by key prefix, so files may run in parallel.
    pool: "forks",
  },
});
