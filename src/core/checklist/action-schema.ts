import { z } from "zod";
import { httpCheckSchema, sqlCheckSchema } from "./check-schema.js";
import { duration, TEMPLATED, text } from "./schema-fields.js";

const rdsTarget = z.enum(["instance", "cluster"]);
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const region = z
  .string()
  .regex(
    new RegExp(`^(${AWS_REGION.source.slice(1, -1)}|.*${TEMPLATED}.*)$`),
    "use an AWS region such as us-east-2, or a {{parameter}}",
  )
  .optional();

/** Automated steps. Commands in `commands` are shown, never executed; these are the only calls made. */
export const actionSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("rds.snapshot"),
    target: rdsTarget,
    identifier: text(200),
    snapshot: text(255),
    region,
  }),
  z.strictObject({
    type: z.literal("rds.wait_for_status"),
    target: rdsTarget,
    identifier: text(200),
    status: text(64),
    timeout: duration,
    region,
  }),
  z.strictObject({
    type: z.literal("rds.check"),
    target: rdsTarget,
    identifier: text(200),
    expect: z
      .strictObject({
        engine_version: z.string().optional(),
        parameter_group: z.string().optional(),
        status: z.string().optional(),
      })
      .refine(
        (e) => Object.keys(e).length > 0,
        "name at least one of engine_version, parameter_group, status",
      ),
    region,
  }),
  z.strictObject({
    type: z.literal("rds.modify"),
    target: rdsTarget,
    identifier: text(200),
    engine_version: z.string().optional(),
    parameter_group: z.string().optional(),
    apply_immediately: z.boolean().default(true),
    region,
  }),
  z.strictObject({
    type: z.literal("rds.delete_snapshot"),
    target: rdsTarget,
    snapshot: text(255),
    region,
  }),
  httpCheckSchema,
  sqlCheckSchema,
  z
    .strictObject({
      type: z.literal("rds.restore_snapshot"),
      target: z.literal("instance").default("instance"),
      snapshot: text(255).describe("the snapshot to restore, e.g. the one the run took"),
      identifier: text(200).describe("the new DB instance to create from it"),
      timeout: duration.default("60m").describe("how long to wait for the new instance to be available"),
      region,
    })
    .describe("restore a DB snapshot to a new instance and wait until it is available (a rollback)"),
]);

export type Action = z.infer<typeof actionSchema>;
