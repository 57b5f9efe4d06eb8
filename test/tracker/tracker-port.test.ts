import { describe, expect, it } from "vitest";
import { classifyHttp } from "../../src/tracker/tracker-port.js";

describe("a tracker's failure, sorted", () => {
  it("waits on 429 (honouring Retry-After), 5xx, no answer and GitHub's secondary limit; needs a person on 401, 403 and 404", () => {
    expect(classifyHttp("github", 429, { "retry-after": "7" }, "x")).toMatchObject({
      kind: "transient",
      retryAfterMs: 7_000,
    });
    expect(classifyHttp("jira", 503, {}, "x").kind).toBe("transient");
    expect(classifyHttp("jira", undefined, undefined, "timeout").kind).toBe("transient");
    expect(classifyHttp("github", 403, { "retry-after": "60" }, "x").kind).toBe("transient");
    expect(classifyHttp("github", 403, { "x-ratelimit-remaining": "0" }, "x").kind).toBe("transient");
    for (const status of [401, 403, 404])
      expect(classifyHttp("github", status, {}, "x").kind).toBe("permanent");
  });
});
