import { z } from "zod";
import { actionSchema } from "./action-schema.js";
import { stepRecordSchema } from "./check-schema.js";
import { duration, durationRange, notBefore, TEMPLATED, text } from "./schema-fields.js";

export { type Action, AWS_REGION, actionSchema } from "./action-schema.js";

/**
 * The checklist file format. This schema is the single source of the checklist types and of
 * checklists/schema.json. Structural rules live here; rules that need the whole document
 * (unique ids, template names, step references) live in validate-checklist.ts.
 * Maximum lengths are part of the format so the Slack rendering has a known worst case.
 */

export const LIMITS = {
  titleChars: 150,
  summaryChars: 300,
  detailsChars: 4_000,
  textChars: 2_000,
  commandChars: 1_000,
  commandsPerStep: 10,
  linksPerStep: 10,
  stepsPerChecklist: 500,
  phases: 20,
} as const;

const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, "use lower-case letters, digits and dashes, starting with a letter");
const paramName = z.string().regex(/^[a-z][a-z0-9_]*$/);
const slackUserId = z.string().regex(/^[UW][A-Z0-9]+$/, "use a Slack user id such as U024BE7LH");
/** A person or a user group: `U…`/`W…` ids, `S…` group ids, or a group's `@handle` (resolved at load). */
const personOrGroup = z
  .string()
  .regex(
    /^([UWS][A-Z0-9]+|@[a-z0-9][a-z0-9._-]*)$/,
    "use a Slack user id (U024BE7LH), a user group id (S0614TZR7) or a group's @handle (@dba-team)",
  );
/** Who does a step: the run's owner or buddy, a person, or a user group. */
const assignee = z
  .union([z.enum(["owner", "buddy"]), personOrGroup])
  .describe("who does this step: owner, buddy, a user id, a user group id or @handle");
/** Parsed and checked against the parameters in validate-checklist.ts (condition.ts). */
const condition = z.string().min(1).max(500);

export const parameterSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("string"),
    description: text(LIMITS.summaryChars).optional(),
    default: z.string().optional(),
    pattern: z.string().optional().describe("a regular expression the value must match"),
  }),
  z.strictObject({
    type: z.literal("enum"),
    description: text(LIMITS.summaryChars).optional(),
    values: z.array(z.string().min(1)).min(1),
    default: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal("boolean"),
    description: text(LIMITS.summaryChars).optional(),
    default: z.boolean().optional(),
  }),
  z
    .strictObject({
      type: z.literal("url"),
      description: text(LIMITS.summaryChars).optional(),
      default: z.string().optional(),
    })
    .describe("an http(s) URL; the only kind of parameter that may become a link"),
  z.strictObject({
    type: z.literal("number"),
    description: text(LIMITS.summaryChars).optional(),
    default: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  }),
]);

/** What a decision point offers; `roll_back` switches the run into its rollback (recovery-events.ts). */
export const DECISION_OPTIONS = ["continue", "pause", "roll_back", "abort"] as const;

export const decisionSchema = z.strictObject({
  question: text(LIMITS.textChars),
  options: z
    .array(z.enum(DECISION_OPTIONS))
    .min(2)
    .default([...DECISION_OPTIONS])
    .describe("the choices offered: continue, pause, roll_back, abort"),
  decider: z
    .string()
    .regex(
      /^(owner|buddy|[UWS][A-Z0-9]+|@[a-z0-9][a-z0-9._-]*)$/,
      "use owner, buddy, a Slack user id such as U024BE7LH, a user group id (S0614TZR7) or its @handle",
    )
    .describe("who picks: the run's owner, its buddy, one named person, or any member of a user group"),
});

export const linkSchema = z.strictObject({
  label: text(100),
  url: z
    .string()
    .max(2_000)
    .regex(
      new RegExp(`^(https?://\\S+|${TEMPLATED}\\S*)$`),
      "use an https:// URL, or one that starts with a {{parameter}}",
    ),
});

export const stepSchema = z.strictObject({
  id: slug,
  title: text(LIMITS.titleChars),
  details: text(LIMITS.detailsChars).optional().describe("Markdown shown under the step"),
  links: z.array(linkSchema).max(LIMITS.linksPerStep).optional(),
  commands: z
    .array(text(LIMITS.commandChars))
    .max(LIMITS.commandsPerStep)
    .optional()
    .describe("shown to copy, never executed"),
  expect: text(LIMITS.textChars).optional().describe("the expected result"),
  duration: durationRange.optional().describe("expected duration: 20m or 10m-20m"),
  verify: z
    .boolean()
    .default(false)
    .describe("a teammate other than the person who completed it must verify"),
  verifiers: z
    .array(personOrGroup)
    .optional()
    .describe("only these people (or members of these user groups) may verify this step"),
  assignee: assignee.optional(),
  skippable: z.boolean().default(true),
  downtime: z.enum(["start", "end"]).optional().describe("this step starts or ends the downtime window"),
  rollback: text(LIMITS.textChars).optional(),
  parallel_with_next: z.boolean().default(false).describe("the next step may start while this one runs"),
  action: actionSchema.optional(),
  record: stepRecordSchema
    .optional()
    .describe("values asked for when the step is completed, kept as {{steps.<id>.<name>}}"),
  when: condition.optional().describe("the step applies only when this holds, e.g. env in [prod]"),
  required_when: condition
    .optional()
    .describe("the step may not be skipped when this holds, e.g. destructive == true"),
  not_before: notBefore.optional().describe("a soak time: the step can't start before `24h after <step-id>`"),
  decision: decisionSchema
    .optional()
    .describe("a decision point: the run waits here until the decider picks an option, with a reason"),
  irreversible: z
    .boolean()
    .optional()
    .describe("a point of no return: starting it needs a teammate's approval"),
  rollback_action: actionSchema
    .optional()
    .describe("run automated when the run rolls back past this step (e.g. rds.restore_snapshot)"),
});

export const phaseSchema = z.strictObject({
  id: slug,
  title: text(LIMITS.titleChars),
  assignee: assignee.optional().describe("the default assignee of the phase's steps"),
  steps: z.array(stepSchema).min(1),
  when: condition.optional().describe("the phase applies only when this holds"),
});

export const REMINDER_TRIGGERS = ["run.started", "run.finished", "run.aborted", "step.done"] as const;

export const reminderSchema = z.strictObject({
  id: slug,
  on: z.enum(REMINDER_TRIGGERS),
  step: slug.optional().describe("the step whose completion triggers it (with on: step.done)"),
  after: duration.default("0s"),
  channel: z
    .string()
    .regex(/^(#[a-z0-9._-]+|C[A-Z0-9]+)$/, "use a channel name such as #invoicing-dev or a channel id")
    .optional()
    .describe("defaults to the run's channel"),
  text: text(LIMITS.textChars),
  keep_on_abort: z
    .boolean()
    .default(false)
    .describe("still fires when the run is aborted after it was scheduled"),
  action: actionSchema.optional().describe("an action offered as a button on the reminder"),
});

export const environmentRuleSchema = z.strictObject({
  requires_completed: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      "a finished, real (not dry) run of this checklist version in one of these environments must exist first",
    ),
  same: z
    .array(paramName)
    .optional()
    .describe("parameters whose values the earlier run must share (e.g. ticket)"),
  within: duration
    .optional()
    .describe("how recently the earlier run must have finished: 30d (the default), 12h, 2w"),
  protected: z.boolean().default(false).describe("mutating automated actions need a teammate's approval"),
  verifiers: z
    .array(personOrGroup)
    .optional()
    .describe("only these people (or members of these user groups) may verify steps in this environment"),
  buddy_required: z.boolean().optional().describe("a run in this environment starts only with a buddy"),
});

export const rulesSchema = z.strictObject({
  environment: paramName.optional().describe("the parameter that names the environment"),
  environments: z.record(z.string(), environmentRuleSchema).optional(),
  starters: z
    .array(personOrGroup)
    .optional()
    .describe("only these people (or members of these user groups) may start a run"),
  verifiers: z
    .array(personOrGroup)
    .optional()
    .describe("only these people (or members of these user groups) may verify steps"),
  participants: z
    .union([z.literal("channel"), z.array(slackUserId).min(1)])
    .optional()
    .describe(
      "who may start, complete and skip steps besides the run's owner and buddy: `channel` (anyone) or these people",
    ),
});

/** An HTTPS POST at the start, on an overrun and at the end of a run (status-page.ts). */
export const statusPageSchema = z.strictObject({
  url: z
    .string()
    .max(2_000)
    .regex(
      /^(https:\/\/\S+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/\S*)?)$/,
      "use an https:// URL (plain http only to 127.0.0.1 or localhost)",
    ),
  body: z
    .record(z.string(), z.unknown())
    .describe("the JSON body; its strings may use {{run.update}}, {{run.eta}}, {{run.downtime}}, …"),
  auth_header_env: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, "name an environment variable such as STATUS_PAGE_AUTH")
    .optional()
    .describe("the environment variable holding the Authorization header's value"),
});

/** Work tickets: where a run cannot start without one, and the form an id must have. */
export const ticketRuleSchema = z.strictObject({
  required_in: z
    .array(z.string().min(1))
    .optional()
    .describe("environments where a run cannot start without ticket=<id>"),
  pattern: z
    .string()
    .optional()
    .describe("a regular expression the ticket id must match; default: owner/repo#123 or ABC-123"),
});

/** The post-mortem as an issue in a tracker (GitHub or Jira). */
export const postMortemSchema = z
  .strictObject({
    tracker: z.enum(["github", "jira"]),
    repo: z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+$/, "use owner/repository, such as acme/invoicing-ops")
      .optional()
      .describe("github: the repository that gets the issue"),
    project: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]+$/, "use a Jira project key such as OPS")
      .optional()
      .describe("jira: the project that gets the issue"),
    issue_type: z.string().min(1).max(60).default("Task").describe("jira: the post-mortem's issue type"),
    subtask_type: z
      .string()
      .min(1)
      .max(60)
      .default("Sub-task")
      .describe("jira: the issue type of each follow-up (a sub-task of the post-mortem)"),
    labels: z.array(z.string().min(1).max(50)).max(10).default([]),
    when: z
      .enum(["always", "problems", "never"])
      .default("never")
      .describe("problems: a problem was reported, a step overran, the run was aborted, ..."),
  })
  .refine((p) => (p.tracker === "github" ? p.repo !== undefined : p.project !== undefined), {
    message: "name the repo (tracker: github) or the project (tracker: jira)",
  });

export const checklistSchema = z.strictObject({
  $schema: z.string().optional(),
  id: slug,
  title: text(LIMITS.titleChars),
  summary: text(LIMITS.summaryChars),
  channel: z
    .string()
    .regex(/^#[a-z0-9._-]+$/, "use a channel name such as #invoicing-dev")
    .optional(),
  parameters: z.record(paramName, parameterSchema).default({}),
  phases: z.array(phaseSchema).min(1).max(LIMITS.phases),
  reminders: z.array(reminderSchema).default([]),
  announce_before: z
    .array(duration)
    .optional()
    .describe("reminders before a scheduled window; default 24h and 1h"),
  rules: rulesSchema.default({}),
  announced_window: duration
    .optional()
    .describe("the length of the window announced to stakeholders; default: the steps' expected maximums"),
  stakeholders: z
    .string()
    .regex(/^(#[a-z0-9._-]+|C[A-Z0-9]+)$/, "use a channel name such as #business-updates or a channel id")
    .optional()
    .describe("gets a post at start, when the run overruns its announced end, and at the end"),
  status_page: statusPageSchema.optional(),
  rollback: z
    .strictObject({
      title: text(LIMITS.titleChars).optional(),
      steps: z.array(stepSchema).min(1),
    })
    .optional()
    .describe("the steps of a roll back, instead of the rollback of each step done so far"),
  ticket: ticketRuleSchema.optional(),
  post_mortem: postMortemSchema.optional(),
});

export type Checklist = z.infer<typeof checklistSchema>;
export type ChecklistInput = z.input<typeof checklistSchema>;
export type Parameter = z.infer<typeof parameterSchema>;
export type Phase = z.infer<typeof phaseSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Reminder = z.infer<typeof reminderSchema>;
export type Rules = z.infer<typeof rulesSchema>;
export type StatusPage = z.infer<typeof statusPageSchema>;
export type DecisionOption = (typeof DECISION_OPTIONS)[number];
export type TicketRule = z.infer<typeof ticketRuleSchema>;
export type PostMortemRule = z.infer<typeof postMortemSchema>;

/** JSON Schema for editors, generated from the zod schema (input shape: defaults are optional). */
export function checklistJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(checklistSchema, { io: "input", target: "draft-7" }) as Record<string, unknown>;
}
