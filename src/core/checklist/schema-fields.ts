import { z } from "zod";
import { DURATION_PATTERN, DURATION_RANGE_PATTERN, TOO_LONG, withinLimit } from "../duration.js";

/** Fields the checklist schema and the action schema share (the same zod objects, so one JSON Schema). */

export const duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), "use a duration such as 90s, 15m, 2h, 30d or 1h30m")
  .refine(withinLimit, TOO_LONG);
export const text = (max: number) => z.string().min(1).max(max);

/** A value that may also be a `{{template}}`, checked once filled in (e.g. a region from a parameter). */
export const TEMPLATED = String.raw`\{\{\s*[A-Za-z_][\w.-]*\s*\}\}`;

export const durationRange = z
  .string()
  .regex(new RegExp(DURATION_RANGE_PATTERN), "use a duration such as 20m or a range such as 10m-20m")
  .refine(withinLimit, TOO_LONG);

/** A soak time: `24h after <step-id>`. */
export const notBefore = z
  .string()
  .regex(
    /^(\d+[smhdw])+ after [a-z][a-z0-9-]*$/,
    "use a soak time such as `24h after <step-id>` or `15m after deploy-canary`",
  )
  .refine((text) => withinLimit(text.split(" ")[0] ?? ""), TOO_LONG);
