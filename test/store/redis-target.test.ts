import { describe, expect, it } from "vitest";
import { describeTarget, withoutPassword } from "../../src/store/redis-connection.js";

describe("a Redis URL shown in a message or a log line", () => {
  it("never shows its password (nor its user)", () => {
    expect(withoutPassword("redis://:hunter2@10.0.0.1:6379/0")).toBe("redis://***@10.0.0.1:6379/0");
    expect(withoutPassword("rediss://bot:hunter2@redis.example:6380")).toBe(
      "rediss://***@redis.example:6380",
    );
    expect(withoutPassword("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
    expect(describeTarget({ kind: "single", url: "redis://:hunter2@127.0.0.1:6379" })).not.toContain(
      "hunter2",
    );
  });
});
