import type { z } from "zod";

/**
 * Reads JSON that came back from Slack (a button's value, a modal's private_metadata) against
 * the schema it was written with. Anything else — not a string, not JSON, another shape — is
 * undefined: a forged or foreign input, which the caller refuses.
 */
export function parseJsonWith<T>(schema: z.ZodType<T>, raw: unknown): T | undefined {
  if (typeof raw !== "string") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    // Not JSON: treated like any other shape we did not write.
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
