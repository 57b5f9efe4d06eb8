import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseJsonWith } from "../../src/slack/json-input.js";

const schema = z.strictObject({ r: z.string(), v: z.number() });

describe("parseJsonWith", () => {
  it("gives back what we wrote", () => {
    expect(parseJsonWith(schema, '{"r":"r-1","v":3}')).toEqual({ r: "r-1", v: 3 });
  });

  it("refuses what we did not write: not a string, not JSON, another shape", () => {
    expect(parseJsonWith(schema, undefined)).toBeUndefined();
    expect(parseJsonWith(schema, "not json")).toBeUndefined();
    expect(parseJsonWith(schema, '{"r":"r-1","v":"3"}')).toBeUndefined();
    expect(parseJsonWith(schema, '{"r":"r-1","v":3,"extra":true}')).toBeUndefined();
  });
});
