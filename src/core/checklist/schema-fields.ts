import { z } from "zod";
import { DURATION_PATTERN, TOO_LONG, withinLimit } from "../duration.js";

/** Fields the checklist schema and the action schema share (the same zod objects, so one JSON Schema). */

export const duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), "use a duration such as 90s, 15m, 2h, 30d or 1h30m")
  .refine(withinLimit, TOO_LONG);
export const text = (max: number) => z.string().min(1).max(max);

/** A value that may also be a `{{template}}`, checked once filled in (e.g. a region from a parameter). */
export const TEMPLATED = String.raw`\{\{\s*[A-Za-z_][\w.-]*\s*\}\}`;
