import type { ModalView } from "@slack/types";
import { z } from "zod";
import type { Run, RunEvent } from "../../core/run/run-schema.js";
import { isFinished, planSteps } from "../../core/run/step-rules.js";
import { parseJsonWith } from "../json-input.js";
import { escapeMrkdwn } from "../render/mrkdwn.js";
import { optionSchema, PEOPLE_CHOICES } from "../render/people-menu.js";

/**
 * The run message's overflow menu ("Hand over…", "Change buddy…", "Reassign step…") and the
 * forms it opens. Each form becomes the same engine event as its command (`/maintenance handover`,
 * `buddy`, `assign`); the engine decides who may.
 */

export const PEOPLE_INPUT = {
  person: { block: "person_block", action: "person_input" },
  group: { block: "group_block", action: "group_input" },
  step: { block: "step_block", action: "step_input" },
} as const;

/** What the form carries between opening and submission: the option plus the run's channel. */
const metadataSchema = optionSchema.extend({ c: z.string().min(1).max(64) });
export type PeopleMetadata = z.infer<typeof metadataSchema>;

export const readPeopleMetadata = (raw: unknown) => parseJsonWith(metadataSchema, raw);

/** The form an option opens: a person (and for a step, the step, or a user group instead). */
export function peopleModal(run: Run, meta: PeopleMetadata): ModalView {
  const choice = PEOPLE_CHOICES[meta.o];
  const reassign = meta.o === "reassign_step";
  const steps = planSteps(run)
    .map((planned, index) => ({ plan: planned.plan, state: run.steps[index] }))
    .filter((step) => step.state && !isFinished(step.state.status))
    .slice(0, 100);
  const personLabel =
    meta.o === "hand_over" ? "The new owner" : meta.o === "set_buddy" ? "The new buddy" : "Assign it to";
  return {
    type: "modal",
    callback_id: choice.view,
    private_metadata: JSON.stringify(meta),
    title: { type: "plain_text", text: choice.title },
    submit: { type: "plain_text", text: reassign ? "Reassign" : "Save" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `*${escapeMrkdwn(run.plan.title)}* · \`${run.id}\`` },
      },
      ...(reassign
        ? [
            {
              type: "input" as const,
              block_id: PEOPLE_INPUT.step.block,
              label: { type: "plain_text" as const, text: "Step" },
              element: {
                type: "static_select" as const,
                action_id: PEOPLE_INPUT.step.action,
                options: steps.map((step) => ({
                  text: { type: "plain_text" as const, text: step.plan.title.slice(0, 75) },
                  value: step.plan.id,
                })),
              },
            },
          ]
        : []),
      {
        type: "input",
        block_id: PEOPLE_INPUT.person.block,
        optional: reassign,
        label: { type: "plain_text", text: personLabel },
        element: { type: "users_select", action_id: PEOPLE_INPUT.person.action },
      },
      ...(reassign
        ? [
            {
              type: "input" as const,
              block_id: PEOPLE_INPUT.group.block,
              optional: true,
              label: { type: "plain_text" as const, text: "…or a user group (id S…)" },
              element: { type: "plain_text_input" as const, action_id: PEOPLE_INPUT.group.action },
            },
          ]
        : []),
    ],
  };
}

type Values = Record<string, Record<string, unknown>>;

/** The submitted form as the event its command would apply, or the field to correct. */
export function peopleEvent(
  meta: PeopleMetadata,
  values: Values,
  by: string,
): { ok: true; event: RunEvent } | { ok: false; errors: Record<string, string> } {
  const picked = values[PEOPLE_INPUT.person.block]?.[PEOPLE_INPUT.person.action] as
    | { selected_user?: unknown }
    | undefined;
  const person = typeof picked?.selected_user === "string" ? picked.selected_user : undefined;
  if (meta.o !== "reassign_step") {
    if (!person) return { ok: false, errors: { [PEOPLE_INPUT.person.block]: "Pick a teammate." } };
    return { ok: true, event: { type: meta.o, to: person, by } };
  }
  const stepInput = values[PEOPLE_INPUT.step.block]?.[PEOPLE_INPUT.step.action] as
    | { selected_option?: { value?: unknown } }
    | undefined;
  const stepId = stepInput?.selected_option?.value;
  if (typeof stepId !== "string")
    return { ok: false, errors: { [PEOPLE_INPUT.step.block]: "Pick the step to reassign." } };
  const typed = values[PEOPLE_INPUT.group.block]?.[PEOPLE_INPUT.group.action] as
    | { value?: unknown }
    | undefined;
  const groupText = typeof typed?.value === "string" ? typed.value.trim() : "";
  const group = /^(?:<!subteam\^)?(S[A-Z0-9]{2,20})(?:\|[^>]*)?>?$/.exec(groupText)?.[1];
  if (groupText && !group)
    return {
      ok: false,
      errors: {
        [PEOPLE_INPUT.group.block]: "A user group id starts with S (e.g. S0123ABCD); or pick a person.",
      },
    };
  const to = group ?? person;
  if (!to || (group && person))
    return {
      ok: false,
      errors: { [PEOPLE_INPUT.person.block]: "Pick one teammate, or give one user group, not both." },
    };
  return { ok: true, event: { type: "reassign_step", stepId, to, by } };
}
