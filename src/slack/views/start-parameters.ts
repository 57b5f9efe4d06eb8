import type { App } from "@slack/bolt";
import type { InputBlock, KnownBlock, View } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Checklist, Parameter } from "../../core/checklist/schema.js";
import { resolveParameters } from "../../core/run/create-run.js";
import { lacksRequiredBuddy } from "../../core/run/people.js";
import { describeTicket, TICKET_PARAM, ticketIsParameter } from "../../core/tracker/ticket.js";
import type { SlackDeps } from "../deps.js";
import { VIEW_IDS } from "../ids.js";
import { parseJsonWith } from "../json-input.js";
import { viewSubmissionSchema } from "../payloads.js";
import { escapeMrkdwn } from "../render/mrkdwn.js";
import { replyPrivately } from "../reply.js";
import { startRunAndReport } from "../start-run.js";
import { markWindowStarted } from "../window-started.js";

/** When `/maintenance start` lacks required parameters, a modal asks for them with typed inputs. */

const INPUT_ACTION = "value";
const blockOf = (name: string) => `param_${name}`;
/** The optional break-glass reason; shown only for checklists with an environment gate. */
const OVERRIDE_BLOCK = "override_reason";
/** The buddy, asked for when the environment requires one (buddy_required). */
const BUDDY_BLOCK = "buddy";
const MAX_METADATA = 3_000;

const metadataSchema = z.strictObject({
  k: z.string(),
  c: z.string(),
  g: z.record(z.string(), z.string()),
  b: z.string().optional(),
  d: z.boolean(),
  /** The checklist's content hash when the form was opened: a changed checklist asks again. */
  h: z.string(),
  o: z.string().max(500).optional(),
  /** Opened from a scheduled window's Start button: the window (and its message) to start. */
  w: z.string().max(64).optional(),
  m: z.string().max(32).optional(),
});
export type StartMetadata = z.infer<typeof metadataSchema>;

export function startParametersModal(
  checklist: Checklist,
  missing: string[],
  meta: StartMetadata,
  options: { askBuddy?: boolean } = {},
): View | undefined {
  const privateMetadata = JSON.stringify(meta);
  if (privateMetadata.length > MAX_METADATA) return undefined;
  const given = Object.entries(meta.g).map(([name, value]) => `\`${escapeMrkdwn(`${name}=${value}`)}\``);
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*${escapeMrkdwn(checklist.title)}*\n${escapeMrkdwn(checklist.summary)}`.slice(0, 3_000),
      },
    },
    ...(given.length > 0
      ? [
          {
            type: "context" as const,
            elements: [{ type: "mrkdwn" as const, text: `Given: ${given.join(", ")}`.slice(0, 2_000) }],
          },
        ]
      : []),
    ...missing.slice(0, 90).map((name) => parameterInput(name, parameterOf(checklist, name))),
    ...(asksTicket(checklist, missing, meta)
      ? [{ ...(parameterInput(TICKET_PARAM, ticketParameter(checklist)) as InputBlock), optional: true }]
      : []),
    ...(options.askBuddy ? [buddyInput()] : []),
    ...(hasGate(checklist) ? [overrideInput(meta.o)] : []),
  ];
  return {
    type: "modal",
    callback_id: VIEW_IDS.startParameters,
    private_metadata: privateMetadata,
    title: { type: "plain_text", text: "Start a run" },
    submit: { type: "plain_text", text: "Start" },
    close: { type: "plain_text", text: "Cancel" },
    blocks,
  };
}

function parameterInput(name: string, parameter: Parameter): KnownBlock {
  const label = { type: "plain_text" as const, text: name.slice(0, 2_000) };
  const hint = parameter.description
    ? { hint: { type: "plain_text" as const, text: parameter.description.slice(0, 2_000) } }
    : {};
  const options = (values: string[]) =>
    values.slice(0, 100).map((value) => ({
      text: { type: "plain_text" as const, text: value.slice(0, 75) },
      value: value.slice(0, 150),
    }));
  if (parameter.type === "enum" || parameter.type === "boolean") {
    const values = parameter.type === "enum" ? parameter.values : ["true", "false"];
    return {
      type: "input",
      block_id: blockOf(name),
      label,
      ...hint,
      element: { type: "static_select", action_id: INPUT_ACTION, options: options(values) },
    };
  }
  return {
    type: "input",
    block_id: blockOf(name),
    label,
    ...hint,
    element: { type: "plain_text_input", action_id: INPUT_ACTION },
  };
}

function buddyInput(): KnownBlock {
  return {
    type: "input",
    block_id: BUDDY_BLOCK,
    label: { type: "plain_text", text: "Buddy" },
    hint: {
      type: "plain_text",
      text: "This environment is protected: a teammate works the run with you and can verify and approve.",
    },
    element: { type: "users_select", action_id: INPUT_ACTION },
  };
}

/** `ticket` is every run's, not the checklist's: the form asks for it like a parameter. */
function parameterOf(checklist: Checklist, name: string): Parameter {
  return checklist.parameters[name] ?? ticketParameter(checklist);
}

function ticketParameter(checklist: Checklist): Parameter {
  return { type: "string", description: describeTicket(checklist).slice(0, 300) };
}

/** A checklist that requires tickets somewhere offers the field even before the environment is chosen. */
function asksTicket(checklist: Checklist, missing: string[], meta: StartMetadata): boolean {
  return (
    checklist.ticket?.required_in !== undefined &&
    !ticketIsParameter(checklist) &&
    !missing.includes(TICKET_PARAM) &&
    meta.g[TICKET_PARAM] === undefined
  );
}

function hasGate(checklist: Checklist): boolean {
  return Object.values(checklist.rules.environments ?? {}).some((rule) => rule.requires_completed);
}

function overrideInput(given: string | undefined): KnownBlock {
  return {
    type: "input",
    block_id: OVERRIDE_BLOCK,
    optional: true,
    label: { type: "plain_text", text: "Break-glass override (emergencies only)" },
    hint: {
      type: "plain_text",
      text: "Why this run must start although the environment gate refuses it. A teammate must approve it; it is announced and listed first in the post-mortem.",
    },
    element: {
      type: "plain_text_input",
      action_id: INPUT_ACTION,
      max_length: 500,
      ...(given ? { initial_value: given } : {}),
    },
  };
}

function enteredValue(values: Record<string, Record<string, unknown>>, block: string): string | undefined {
  const input = values[block]?.[INPUT_ACTION] as
    | { value?: unknown; selected_option?: { value?: unknown }; selected_user?: unknown }
    | undefined;
  const raw = input?.selected_option?.value ?? input?.selected_user ?? input?.value;
  return typeof raw === "string" && raw.trim() !== "" ? raw.trim() : undefined;
}

export function register(
  app: App,
  deps: Pick<SlackDeps, "catalog" | "log" | "service"> & Partial<Pick<SlackDeps, "windows">>,
): void {
  app.view(VIEW_IDS.startParameters, async ({ ack, body, client }) => {
    const parsed = viewSubmissionSchema.safeParse(body);
    const meta = parsed.success
      ? parseJsonWith(metadataSchema, parsed.data.view.private_metadata)
      : undefined;
    const entry = meta ? deps.catalog.get(meta.k) : undefined;
    if (!parsed.success || !meta || !entry) {
      await ack({ response_action: "errors", errors: {} });
      return;
    }
    if (entry.hash !== meta.h) {
      // Like a stale button: the form asked for what an older version of the checklist needed.
      const first = Object.keys(parsed.data.view.state.values)[0];
      await ack({
        response_action: "errors",
        errors: first
          ? {
              [first]: `The ${meta.k} checklist changed since this form was opened. Close it and run /maintenance start again.`,
            }
          : {},
      });
      return;
    }
    const entered: Record<string, string> = {};
    for (const name of [...Object.keys(entry.checklist.parameters), TICKET_PARAM]) {
      const value = enteredValue(parsed.data.view.state.values, blockOf(name));
      if (value !== undefined) entered[name] = value;
    }
    const params = { ...meta.g, ...entered };
    const resolved = resolveParameters(entry.checklist, params);
    if (!resolved.ok) {
      const errors = Object.fromEntries(resolved.errors.map((error) => [blockOf(error.name), error.message]));
      await ack({ response_action: "errors", errors });
      return;
    }
    const buddy = enteredValue(parsed.data.view.state.values, BUDDY_BLOCK) ?? meta.b;
    if (lacksRequiredBuddy(entry.checklist, resolved.values, buddy)) {
      await ack({
        response_action: "errors",
        errors: { [BUDDY_BLOCK]: "This environment is protected: choose a teammate as your buddy." },
      });
      return;
    }
    await ack();
    if (meta.w) return startWindowWithBuddy(deps, client, meta, parsed.data.user.id, buddy);
    const override = enteredValue(parsed.data.view.state.values, OVERRIDE_BLOCK) ?? meta.o;
    await startRunAndReport(deps, client, {
      checklistId: meta.k,
      params,
      channel: meta.c,
      owner: parsed.data.user.id,
      dryRun: meta.d,
      ...(buddy ? { buddy } : {}),
      ...(override !== undefined ? { override } : {}),
    });
  });
}

/** The start form of a scheduled window whose environment needs a buddy: starts the window. */
async function startWindowWithBuddy(
  deps: Pick<SlackDeps, "log"> & Partial<Pick<SlackDeps, "windows">>,
  client: WebClient,
  meta: StartMetadata,
  user: string,
  buddy: string | undefined,
): Promise<void> {
  if (!deps.windows || !meta.w) return;
  const outcome = await deps.windows.start(meta.w, user, buddy);
  if (!outcome.ok) {
    await replyPrivately(client, deps.log, { channel: meta.c, user }, outcome.message);
    return;
  }
  if (meta.m)
    await markWindowStarted(client, deps.log, { channel: meta.c, ts: meta.m }, user, outcome.run.id);
}
