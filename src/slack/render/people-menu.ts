import type { Overflow } from "@slack/types";
import { z } from "zod";
import type { Run } from "../../core/run/run-schema.js";
import { ACTION_IDS, VIEW_IDS } from "../ids.js";
import { parseJsonWith } from "../json-input.js";

/** The run message's overflow menu: hand over, change the buddy, reassign a step (views/people-modal.ts). */

export const PEOPLE_CHOICES = {
  hand_over: { label: "Hand over…", view: VIEW_IDS.handOver, title: "Hand over the run" },
  set_buddy: { label: "Change buddy…", view: VIEW_IDS.changeBuddy, title: "Change the buddy" },
  reassign_step: { label: "Reassign step…", view: VIEW_IDS.reassignStep, title: "Reassign a step" },
} as const;
export type PeopleChoice = keyof typeof PEOPLE_CHOICES;

/** What an overflow option carries (≤ 150 characters, Slack's limit for an option value). */
export const optionSchema = z.strictObject({
  r: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  v: z.number().int().nonnegative(),
  o: z.enum(["hand_over", "set_buddy", "reassign_step"]),
});
export type PeopleOption = z.infer<typeof optionSchema>;

export const readPeopleOption = (raw: unknown) => parseJsonWith(optionSchema, raw);

/** The overflow element of an active run's message. */
export function peopleMenu(run: Pick<Run, "id" | "progress">): Overflow {
  return {
    type: "overflow",
    action_id: ACTION_IDS.peopleMenu,
    options: (Object.keys(PEOPLE_CHOICES) as PeopleChoice[]).map((o) => ({
      text: { type: "plain_text" as const, text: PEOPLE_CHOICES[o].label },
      value: JSON.stringify({ r: run.id, v: run.progress, o } satisfies PeopleOption),
    })),
  };
}
