import { AWS_REGION, type Checklist } from "../checklist/schema.js";
import { renderChecklistText } from "../checklist/template.js";
import { TICKET_PARAM } from "../tracker/ticket.js";
import { trackerStartEffects } from "../tracker/tracker-effects.js";
import { startEffects } from "./communications.js";
import { applyConditions } from "./conditional-steps.js";
import type { Effect, Refusal } from "./effects.js";
import { checkGate, type PriorRun } from "./gate.js";
import { overrideRequest } from "./override.js";
import { buddyRequired, describeNamed, isGroup, isNamed, isPersonId } from "./people.js";
import { remindersFor, withReminders } from "./reminders.js";
import { type ParameterError, resolveParameters } from "./run-parameters.js";
import type { Run } from "./run-schema.js";

export type { PriorRun } from "./gate.js";
export {
  describeParameter,
  isHttpUrl,
  type ParameterError,
  type ParameterResult,
  resolveParameters,
} from "./run-parameters.js";

export interface CreateRunInput {
  id: string;
  checklist: Checklist;
  source: Run["source"];
  params: Readonly<Record<string, string>>;
  channel: string;
  owner: string;
  buddy?: string;
  /** Whether the buddy is a person, as Slack said just before (people-directory.ts); undefined: not asked. */
  buddyIsPerson?: boolean;
  dryRun?: boolean;
  now: Date;
  /** Earlier runs of this checklist, for rules such as "QA before PROD". */
  priorRuns: readonly PriorRun[];
  /** A preview shows the plan; who may start and environment order apply only to real runs. */
  preview?: boolean;
  /**
   * Break-glass: why this run must start although the environment gate refuses it. The run then
   * waits for a second person's approval (`approve_override`) before anything else can happen.
   */
  override?: string;
  /** The user groups among the checklist's starters that the owner is a member of (people.ts). */
  ownerGroups?: readonly string[];
  /** Where a ticket id links to (the tracker's web page), when Preflight knows the tracker. */
  ticketLink?: (ticket: string) => string | undefined;
}

export type CreateRunResult =
  | { ok: true; run: Run; effects: Effect[] }
  | { ok: false; refusal: Refusal; parameterErrors?: ParameterError[]; missing?: string[] };

export function builtInValues(input: {
  id: string;
  checklist: Checklist;
  channel: string;
  owner: string;
  buddy?: string;
  ticket?: string;
  now: Date;
}) {
  const iso = input.now.toISOString();
  return {
    date: iso.slice(0, 10),
    time: `${iso.slice(11, 16)} UTC`,
    "run.id": input.id,
    "run.owner": `<@${input.owner}>`,
    "run.buddy": input.buddy ? `<@${input.buddy}>` : "(no buddy)",
    "run.channel": input.channel,
    "run.ticket": input.ticket ?? "(no ticket)",
    "checklist.id": input.checklist.id,
    "checklist.title": input.checklist.title,
  };
}

export function createRun(input: CreateRunInput): CreateRunResult {
  const { checklist, now } = input;
  const starters = checklist.rules.starters;
  if (starters && !input.preview && !isNamed(starters, input.owner, input.ownerGroups)) {
    return refuse("not_permitted", `only ${describeNamed(starters)} may start ${checklist.id}`);
  }
  if (input.buddy !== undefined && input.buddy === input.owner) {
    return refuse("not_permitted", "your buddy must be a teammate, not yourself");
  }
  if (input.buddy !== undefined && !isPersonId(input.buddy, input.buddyIsPerson)) {
    return refuse(
      "not_permitted",
      "your buddy must be a teammate who works the run with you, not a bot or a deactivated account: name a person (buddy=@dana)",
    );
  }
  if (input.buddy !== undefined && isGroup(input.buddy)) {
    return refuse(
      "not_permitted",
      "a buddy is one person, not a user group: name a teammate (buddy=@dana); groups may verify or be assigned steps",
    );
  }
  const given = input.params[TICKET_PARAM];
  const builtIns = builtInValues({ ...input, ...(given !== undefined ? { ticket: given } : {}) });
  const parameters = resolveParameters(checklist, input.params, builtIns, {
    preview: input.preview ?? false,
  });
  if (!parameters.ok) {
    const message = parameters.errors.map((error) => error.message).join("\n");
    return {
      ok: false,
      refusal: { code: "invalid_parameters", message },
      parameterErrors: parameters.errors,
      missing: parameters.missing,
    };
  }
  const environment = checklist.rules.environment
    ? parameters.values[checklist.rules.environment]
    : undefined;
  const gate = input.preview
    ? { ok: true as const }
    : checkGate({
        checklist,
        environment,
        params: parameters.values,
        hash: input.source.hash,
        priorRuns: input.priorRuns,
        now,
      });
  const override = gate.ok ? undefined : overrideRequest(input, gate.message);
  if (!gate.ok && !override) return refuse("out_of_order", gate.message);
  if (override && "refusal" in override) return { ok: false, refusal: override.refusal };
  if (!input.preview && input.buddy === undefined && buddyRequired(checklist, environment)) {
    return refuse(
      "buddy_required",
      `${environment} is protected: a run of ${checklist.id} there needs a buddy. Name one with buddy=@teammate (the start form asks for one).`,
    );
  }

  const values = { ...builtIns, ...parameters.values };
  const rendered: Checklist = {
    ...checklist,
    title: renderChecklistText(checklist.title, values),
    summary: renderChecklistText(checklist.summary, values),
    phases: renderChecklistText(checklist.phases, values),
    reminders: renderChecklistText(checklist.reminders, values),
    ...(checklist.rollback ? { rollback: renderChecklistText(checklist.rollback, values) } : {}),
  };
  const { plan, notApplicable } = applyConditions(rendered, parameters.values);
  const renderedProblems = checkRenderedValues(plan);
  if (renderedProblems.length > 0) return refuse("invalid_parameters", renderedProblems.join("\n"));
  const at = now.toISOString();
  const run: Run = {
    id: input.id,
    version: 0,
    progress: 0,
    status: override ? "awaiting_override" : "active",
    plan,
    source: input.source,
    params: parameters.values,
    channel: input.channel,
    owner: input.owner,
    dryRun: input.dryRun ?? false,
    createdAt: at,
    steps: plan.phases.flatMap((phase) =>
      phase.steps.map((step) => ({
        id: step.id,
        status: notApplicable.has(step.id) ? ("not_applicable" as const) : ("pending" as const),
        results: {},
      })),
    ),
    problems: [],
    decisions: [],
    pauses: [],
    notes: [],
    reminders: {},
    followUps: [],
    postFailures: [],
    history: [
      {
        at,
        by: input.owner,
        type: "run_started",
        detail: override
          ? `override requested: ${override.override.reason}`
          : input.dryRun
            ? "dry run"
            : undefined,
      },
    ],
    ...(override ? { override: override.override } : {}),
    ...(environment !== undefined ? { environment } : {}),
    ...(input.buddy !== undefined ? { buddy: input.buddy } : {}),
    ...(parameters.ticket !== undefined ? { ticket: parameters.ticket } : {}),
    ...(parameters.ticket !== undefined && input.ticketLink
      ? { ticketUrl: input.ticketLink(parameters.ticket) }
      : {}),
  };
  // A run waiting for its override's approval has not started: its reminders wait too.
  const reminders = override ? [] : remindersFor(run, { on: "run.started" }, now);
  const effects: Effect[] = [
    { type: "refresh_run_message" },
    ...reminders.map((reminder) => ({ type: "schedule_reminder" as const, reminder })),
    ...(override ? [] : startEffects(run, now)),
    ...(override ? [] : trackerStartEffects(run)),
  ];
  return { ok: true, run: withReminders(run, reminders), effects };
}

/** Regions and links may come from parameters: once filled in, they must be real ones. */
function checkRenderedValues(plan: Checklist): string[] {
  const problems: string[] = [];
  for (const step of [...plan.phases.flatMap((phase) => phase.steps), ...(plan.rollback?.steps ?? [])]) {
    for (const action of [step.action, step.rollback_action]) {
      const region = action && "region" in action ? action.region : undefined;
      if (region !== undefined && !AWS_REGION.test(region))
        problems.push(`region "${region}" (step ${step.id}) is not an AWS region such as us-east-2`);
    }
    if (step.action?.type === "http.check" && !/^https?:\/\/\S+$/.test(step.action.url))
      problems.push(`the URL "${step.action.url}" (step ${step.id}) is not an http(s) URL`);
    for (const link of step.links ?? []) {
      if (!/^https?:\/\/\S+$/.test(link.url))
        problems.push(`link "${link.label}" (step ${step.id}) is not an http(s) URL: ${link.url}`);
    }
  }
  return problems;
}

function refuse(code: Refusal["code"], message: string): CreateRunResult {
  return { ok: false, refusal: { code, message } };
}

export function mentions(users: readonly string[]): string {
  // A user group (S…) is mentioned as Slack writes one; people as <@U…>.
  return users.map((user) => (/^S[A-Z0-9]+$/.test(user) ? `<!subteam^${user}>` : `<@${user}>`)).join(", ");
}
