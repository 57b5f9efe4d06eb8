import type { KnownBlock, View } from "@slack/types";
import type { Run } from "../../core/run/run-schema.js";
import { describeStatus } from "../../core/run/step-rules.js";
import { assignedTo, waitingFor } from "../../core/run/waiting-for.js";
import type { MaintenanceWindow } from "../../core/window.js";
import { encodeActionValue } from "../action-value.js";
import { escapeMrkdwn, mention, slackDate } from "./mrkdwn.js";

/**
 * A person's Home tab: their active runs with links, what waits for their verification or
 * approval (with the button), and the steps assigned to them. Pure: the listener gathers the runs,
 * the person's groups and the links.
 */

export const HOME_ACTIONS = { verify: "home_step_verify", approve: "home_step_approve" } as const;
/** Done / Snooze on a reminder listed on the Home tab: the same events as on the reminder's message. */
export const HOME_REMINDER_ACTIONS = { done: "home_reminder_done", snooze: "home_reminder_snooze" } as const;

/** A reminder of one of the person's runs, still to be handled. */
export interface HomeReminder {
  run: Pick<Run, "id" | "plan" | "environment">;
  key: string;
  dueAt: string;
  text: string;
}

/** Slack's limit for a Home tab. */
const MAX_BLOCKS = 100;
/** Reminders listed (two blocks each), so the sections above keep their room. */
const MAX_REMINDERS = 10;

export interface HomeInput {
  user: string;
  runs: readonly Run[];
  /** The user groups the person is a member of. */
  groups: readonly string[];
  /** Run id → the run message's permalink. */
  links: ReadonlyMap<string, string>;
  /** Scheduled windows the person scheduled or is named in, soonest first. */
  windows?: readonly MaintenanceWindow[];
  /** Reminders of the person's runs due in the next 30 days, soonest first. */
  reminders?: readonly HomeReminder[];
}

export function homeView(input: HomeInput): View {
  const { user, runs, groups } = input;
  const title = (run: Run) => {
    const env = run.environment ? ` (${escapeMrkdwn(run.environment)})` : "";
    const name = `${escapeMrkdwn(run.plan.title)}${env}`;
    const link = input.links.get(run.id);
    return link ? `<${link}|${name}>` : name;
  };
  const mine = runs.filter((run) => run.owner === user || run.buddy === user);
  const waiting = runs.flatMap((run) => waitingFor(run, user, groups).map((step) => ({ run, step })));
  const assigned = runs.flatMap((run) => assignedTo(run, user, groups).map((step) => ({ run, step })));

  const blocks: KnownBlock[] = [
    header("Waiting for you"),
    ...orNone(
      waiting.map(({ run, step }) => {
        const verify = step.state.status === "awaiting_verification";
        const by = verify ? step.state.completedBy : step.state.startedBy;
        return {
          type: "section" as const,
          text: {
            type: "mrkdwn" as const,
            text: `*${escapeMrkdwn(step.plan.title)}* in ${title(run)}: ${verify ? "verify" : "approve"} what ${by ? mention(by) : "a teammate"} did`,
          },
          accessory: {
            type: "button" as const,
            action_id: verify ? HOME_ACTIONS.verify : HOME_ACTIONS.approve,
            text: { type: "plain_text" as const, text: verify ? "Verify" : "Approve" },
            style: "primary" as const,
            value: encodeActionValue({ r: run.id, s: step.plan.id, v: run.progress }),
          },
        };
      }),
      "Nothing waits for your verification or approval.",
    ),
    header("Assigned to you"),
    ...orNone(
      assigned.map(({ run, step }) =>
        line(`*${escapeMrkdwn(step.plan.title)}* in ${title(run)}: ${describeStatus(step.state.status)}`),
      ),
      "No step is assigned to you.",
    ),
    header("Your active runs"),
    ...orNone(
      mine.map((run) => {
        const role = run.owner === user ? "owner" : "buddy";
        const done = run.steps.filter((s) => s.status === "done" || s.status === "skipped").length;
        return line(
          `${title(run)}: you are the ${role}; ${done} of ${run.steps.length} steps done · \`${run.id}\``,
        );
      }),
      "You own no active run and are nobody's buddy right now.",
    ),
    ...upcomingBlocks(input),
  ];
  return { type: "home", blocks: blocks.slice(0, MAX_BLOCKS) };
}

/** Windows to come, and reminders due in the next 30 days with Done / Snooze. */
function upcomingBlocks(input: HomeInput): KnownBlock[] {
  const role = (window: MaintenanceWindow) =>
    window.owner === input.user ? "you scheduled it" : "you are the buddy";
  return [
    header("Your scheduled windows"),
    ...orNone(
      (input.windows ?? []).map((window) =>
        line(
          `*${escapeMrkdwn(window.title)}* ${slackDate(window.startsAt)} in <#${window.channel}>: ${role(window)} · \`${window.id}\``,
        ),
      ),
      "You scheduled no window and are named in none.",
    ),
    header("Reminders of your runs"),
    ...orNone(
      (input.reminders ?? []).slice(0, MAX_REMINDERS).flatMap((reminder): KnownBlock[] => {
        const value = JSON.stringify({ k: reminder.key, r: reminder.run.id });
        const button = (text: string, action_id: string) => ({
          type: "button" as const,
          text: { type: "plain_text" as const, text },
          action_id,
          value,
        });
        return [
          line(
            `${slackDate(reminder.dueAt)}: ${escapeMrkdwn(reminder.text).slice(0, 2_500)} (${escapeMrkdwn(reminder.run.plan.title)} · \`${reminder.run.id}\`)`,
          ),
          {
            type: "actions",
            elements: [
              button("Done", HOME_REMINDER_ACTIONS.done),
              button("Snooze a day", HOME_REMINDER_ACTIONS.snooze),
            ],
          },
        ];
      }),
      "No reminder of your runs is due in the next 30 days.",
    ),
  ];
}

function header(text: string): KnownBlock {
  return { type: "header", text: { type: "plain_text", text } };
}

function line(text: string): KnownBlock {
  return { type: "section", text: { type: "mrkdwn", text: text.slice(0, 3_000) } };
}

function orNone(blocks: KnownBlock[], none: string): KnownBlock[] {
  return blocks.length > 0
    ? blocks.slice(0, 30)
    : [{ type: "context", elements: [{ type: "mrkdwn", text: none }] }];
}
