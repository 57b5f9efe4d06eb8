import { z } from "zod";

/** `/maintenance …` text → a command, or a message saying what was wrong and what is valid. */

export type MaintenanceCommand =
  | {
      kind: "start";
      checklistId: string;
      params: Record<string, string>;
      buddy?: string;
      dryRun: boolean;
      /** Break-glass: why this run must start past the environment gate (a second person approves). */
      override?: string;
    }
  | { kind: "list" }
  | { kind: "status" }
  | { kind: "abort"; runId: string; reason: string }
  | { kind: "pause" | "resume"; runId: string; reason: string }
  | {
      kind: "schedule";
      checklistId: string;
      at: string;
      params: Record<string, string>;
      buddy?: string;
      dryRun: boolean;
    }
  | { kind: "cancel"; windowId: string }
  | { kind: "reminders" }
  | { kind: "summary"; runId: string }
  /** Hand the run to someone else, name its buddy, give a step to a person or a user group. */
  | { kind: "handover" | "buddy"; runId: string; to: string }
  | { kind: "assign"; runId: string; stepId: string; to: string }
  | { kind: "help" };

export type ParsedCommand = { ok: true; command: MaintenanceCommand } | { ok: false; message: string };

export const USAGE = [
  "*/maintenance* commands:",
  '• `start <checklist> [key=value…] [buddy=@teammate] [dry_run=true] [override="reason"]`: start a run in this channel; `override` starts past the environment gate once a teammate approves',
  "• `list`: the checklists, with their parameters",
  "• `status`: the active runs in this channel",
  "• `abort <run-id> <reason>`: abort a run (owner or buddy)",
  "• `pause <run-id> <reason>` / `resume <run-id> <reason>`: hold a run and go on later (owner or buddy); paused time is not overrun",
  "• `schedule <checklist> at <time> [key=value…]`: announce a window now, remind before it, start it with a button",
  "• `cancel <window-id>`: cancel a scheduled window and its pending reminders",
  "• `reminders`: what is pending in this channel, with due times",
  "• `summary <run-id>`: post a run's post-mortem summary (and its Markdown) in its thread again",
  "• `handover <run-id> @teammate`: hand the run to a teammate (owner or buddy)",
  "• `buddy <run-id> @teammate`: name or change the run's buddy (owner or buddy)",
  "• `assign <run-id> <step-id> @teammate|@group`: give a step to someone else (owner or buddy)",
  "• `help`: this text",
].join("\n");

const startSchema = z.object({
  checklistId: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, "a checklist id is lower-case letters, digits and dashes"),
  pairs: z.array(
    z.object({
      key: z.string().regex(/^[a-z][a-z0-9_]*$/, "parameter names are lower-case letters, digits and _"),
      value: z
        .string()
        .min(1, "a value is missing after =")
        .max(500, "a value may be at most 500 characters"),
    }),
  ),
});

/** Splits on spaces; "double quotes" keep spaces inside a value (`note="two words"`). */
export function tokenize(text: string): string[] {
  return [...text.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, ""));
}

/** `<@U123|alice>` or `<@U123>` (Slack escapes mentions in commands) → `U123`. */
export function mentionedUser(text: string): string | undefined {
  return /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(text)?.[1];
}

/** Slack sends a command's text with `&`, `<` and `>` escaped; values are kept as the person typed them. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

export function parseCommand(text: string): ParsedCommand {
  const [verb, ...args] = tokenize(unescapeSlack(text).trim());
  switch (verb?.toLowerCase()) {
    case undefined:
    case "help":
      return { ok: true, command: { kind: "help" } };
    case "list":
      return { ok: true, command: { kind: "list" } };
    case "status":
      return { ok: true, command: { kind: "status" } };
    case "abort":
      return parseAbort(args);
    case "pause":
    case "resume":
      return parsePause(verb.toLowerCase() as "pause" | "resume", args);
    case "start":
      return parseStart(args);
    case "schedule":
      return parseSchedule(args);
    case "reminders":
      return { ok: true, command: { kind: "reminders" } };
    case "summary":
      return args[0]
        ? { ok: true, command: { kind: "summary", runId: args[0] } }
        : {
            ok: false,
            message: "Usage: `/maintenance summary <run-id>`. `/maintenance status` lists the active runs.",
          };
    case "handover":
    case "buddy":
      return parsePerson(verb.toLowerCase() as "handover" | "buddy", args);
    case "assign":
      return parseAssign(args);
    case "cancel":
      return args[0]
        ? { ok: true, command: { kind: "cancel", windowId: args[0] } }
        : {
            ok: false,
            message:
              "Usage: `/maintenance cancel <window-id>`. `/maintenance reminders` lists the windows pending here.",
          };
    default:
      return { ok: false, message: `I don't know \`${verb}\`.\n${USAGE}` };
  }
}

/** `<!subteam^S123|@dba>` or `<!subteam^S123>` (Slack escapes group mentions in commands) → `S123`. */
export function mentionedGroup(text: string): string | undefined {
  return /^<!subteam\^(S[A-Z0-9]+)(\|[^>]*)?>$/.exec(text)?.[1];
}

function parsePerson(kind: "handover" | "buddy", args: string[]): ParsedCommand {
  const [runId, who] = args;
  const usage = `Usage: \`/maintenance ${kind} <run-id> @teammate\`. \`/maintenance status\` lists run ids.`;
  if (!runId || !who) return { ok: false, message: usage };
  if (mentionedGroup(who))
    return {
      ok: false,
      message: `${kind === "buddy" ? "A buddy" : "A run's owner"} is one person, not a user group: mention a teammate (@dana).`,
    };
  const to = mentionedUser(who);
  if (!to) return { ok: false, message: `${who}: mention the person with @ so Slack links them. ${usage}` };
  return { ok: true, command: { kind, runId, to } };
}

function parseAssign(args: string[]): ParsedCommand {
  const [runId, stepId, who] = args;
  const usage =
    "Usage: `/maintenance assign <run-id> <step-id> @teammate` (or a user group, @dba-team). `/maintenance status` lists run ids.";
  const to = who ? (mentionedUser(who) ?? mentionedGroup(who)) : undefined;
  if (!runId || !stepId || !to) return { ok: false, message: usage };
  return { ok: true, command: { kind: "assign", runId, stepId, to } };
}

function parseAbort(args: string[]): ParsedCommand {
  const [runId, ...reason] = args;
  if (!runId || reason.length === 0) {
    return {
      ok: false,
      message:
        "Usage: `/maintenance abort <run-id> <reason>`: the reason goes into the post-mortem. `/maintenance status` lists run ids.",
    };
  }
  return { ok: true, command: { kind: "abort", runId, reason: reason.join(" ") } };
}

function parsePause(kind: "pause" | "resume", args: string[]): ParsedCommand {
  const [runId, ...reason] = args;
  if (!runId || reason.length === 0) {
    return {
      ok: false,
      message: `Usage: \`/maintenance ${kind} <run-id> <reason>\`: the reason goes into the timeline. \`/maintenance status\` lists run ids.`,
    };
  }
  return { ok: true, command: { kind, runId, reason: reason.join(" ") } };
}

const SCHEDULE_USAGE =
  "Usage: `/maintenance schedule <checklist> at <time> [key=value…]`, the time as `2026-11-21T22:00+01:00` or `2026-11-21 22:00` (your Slack time zone).";

function parseSchedule(args: string[]): ParsedCommand {
  const [checklistId, at, date, time, ...rest] = args;
  if (!checklistId || at !== "at" || !date) return { ok: false, message: SCHEDULE_USAGE };
  // "2026-11-21 22:00" arrives as two tokens.
  const joined = time !== undefined && /^\d{1,2}:\d{2}$/.test(time);
  const when = joined ? `${date} ${time}` : date;
  const remaining = joined || time === undefined ? rest : [time, ...rest];
  const parsed = parseStart([checklistId, ...remaining]);
  if (!parsed.ok || parsed.command.kind !== "start") return parsed;
  const { params, buddy, dryRun, override } = parsed.command;
  if (override !== undefined) {
    return {
      ok: false,
      message:
        "override= works with `/maintenance start` only: start the run when the window begins, with the override and its reason.",
    };
  }
  return {
    ok: true,
    command: { kind: "schedule", checklistId, at: when, params, dryRun, ...(buddy ? { buddy } : {}) },
  };
}

function parseStart(args: string[]): ParsedCommand {
  const [checklistId, ...rest] = args;
  if (!checklistId) {
    return {
      ok: false,
      message:
        "Usage: `/maintenance start <checklist> [key=value…]`. `/maintenance list` shows the checklists.",
    };
  }
  const notPairs = rest.filter((token) => !token.includes("="));
  if (notPairs.length > 0) {
    return {
      ok: false,
      message: `\`${notPairs[0]}\` is not key=value. Parameters are written like \`env=prod\`.`,
    };
  }
  const pairs = rest.map((token) => ({
    key: token.slice(0, token.indexOf("=")),
    value: token.slice(token.indexOf("=") + 1),
  }));
  const parsed = startSchema.safeParse({ checklistId, pairs });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path[0] === "pairs" ? ` (in \`${rest[Number(issue.path[1])] ?? ""}\`)` : "";
    return { ok: false, message: `${issue?.message ?? "invalid command"}${where}.` };
  }
  const params: Record<string, string> = {};
  let buddy: string | undefined;
  let dryRun = false;
  let override: string | undefined;
  for (const { key, value } of parsed.data.pairs) {
    if (key === "buddy") {
      if (mentionedGroup(value))
        return {
          ok: false,
          message: `buddy=${value}: a buddy is one person, not a user group. Mention a teammate (buddy=@dana); groups may verify steps or be assigned them.`,
        };
      buddy = mentionedUser(value);
      if (!buddy)
        return {
          ok: false,
          message: `buddy=${value}: mention your buddy with @ (as in \`buddy=@dana\`) so Slack links the person.`,
        };
    } else if (key === "dry_run") {
      if (value !== "true" && value !== "false")
        return { ok: false, message: `dry_run=${value}: use true or false.` };
      dryRun = value === "true";
    } else if (key === "override") {
      override = value;
    } else {
      params[key] = value;
    }
  }
  return {
    ok: true,
    command: {
      kind: "start",
      checklistId,
      params,
      dryRun,
      ...(buddy ? { buddy } : {}),
      ...(override !== undefined ? { override } : {}),
    },
  };
}
