import type { z } from "zod";
import { checklistSchema } from "./schema.js";

/**
 * The keys the schema accepts at a path of a document, so an unknown key's message can list
 * them and suggest the closest. Walks zod's schema definitions alongside the data.
 */
export function acceptedKeysAt(data: unknown, path: (string | number)[]): string[] {
  let schema: z.core.$ZodType | undefined = checklistSchema;
  let value = data;
  for (const key of path) {
    schema = childSchema(unwrap(schema, value), key, value);
    value =
      value !== null && typeof value === "object"
        ? (value as Record<string | number, unknown>)[key]
        : undefined;
    if (!schema) return [];
  }
  const target = unwrap(schema, value);
  return target?._zod.def.type === "object" ? Object.keys((target as z.ZodObject).shape) : [];
}

function unwrap(schema: z.core.$ZodType | undefined, value: unknown): z.core.$ZodType | undefined {
  let current = schema;
  for (let guard = 0; current && guard < 10; guard++) {
    const def = current._zod.def as unknown as {
      type: string;
      innerType?: z.core.$ZodType;
      options?: z.core.$ZodType[];
    };
    if (
      def.type === "optional" ||
      def.type === "default" ||
      def.type === "nullable" ||
      def.type === "prefault"
    ) {
      current = def.innerType;
    } else if (def.type === "union" && def.options) {
      current = pickOption(def.options, value);
    } else {
      return current;
    }
  }
  return current;
}

/** For a discriminated union on `type`, the option whose literal matches the data's type. */
function pickOption(options: z.core.$ZodType[], value: unknown): z.core.$ZodType | undefined {
  const type = value !== null && typeof value === "object" ? (value as { type?: unknown }).type : undefined;
  return options.find((option) => {
    const shape = (option as z.ZodObject).shape as Record<string, z.core.$ZodType> | undefined;
    const literal = shape?.type?._zod.def as { values?: unknown[] } | undefined;
    return literal?.values?.includes(type);
  });
}

function childSchema(
  schema: z.core.$ZodType | undefined,
  key: string | number,
  _value: unknown,
): z.core.$ZodType | undefined {
  if (!schema) return undefined;
  const def = schema._zod.def as unknown as {
    type: string;
    element?: z.core.$ZodType;
    valueType?: z.core.$ZodType;
  };
  if (def.type === "object")
    return ((schema as z.ZodObject).shape as Record<string, z.core.$ZodType>)[String(key)];
  if (def.type === "array") return def.element;
  if (def.type === "record") return def.valueType;
  return undefined;
}

/** The accepted key within two edits of `key`, if any (catches `verfy`, `skipable`, `comands`). */
export function closestKey(key: string, accepted: string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of accepted) {
    const distance = editDistance(key, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = above;
    }
  }
  return row[b.length] as number;
}
