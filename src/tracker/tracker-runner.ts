import { PreflightError } from "../core/errors.js";
import type { EffectLedger, Logger, RunStore, StoredEffect } from "../core/ports.js";
import type { Effect } from "../core/run/effects.js";
import { PREFLIGHT_USER, type Run, type RunEvent } from "../core/run/run-schema.js";
import { parseTicket, type TicketRef, type TrackerName, trackerTitle } from "../core/tracker/ticket.js";
import {
  endComment,
  followUpBody,
  followUpTitle,
  postMortemBody,
  postMortemTitle,
  startComment,
} from "./tracker-bodies.js";
import { type IssuePlace, type TrackerClient, TrackerError, type TrackerIssueRef } from "./tracker-port.js";

/**
 * Carries out the tracker effects of a run (a comment on its ticket, the post-mortem issue, a
 * follow-up issue), exactly once: an effect is marked tried before the call, and a tried one
 * looks for its marker (the ticket's comments, the repository's or project's issues) before
 * writing again. Transient failures are thrown to be retried by the effect runner; a refusal
 * is said once in the run's thread (tracker_refused), and the effect is tried again later, so
 * it goes through once someone fixes the token.
 */

export type TrackerEffect = Extract<
  Effect,
  { type: "tracker_comment" | "tracker_post_mortem" | "tracker_follow_up" }
>;

export const TRACKER_EFFECTS = new Set<Effect["type"]>([
  "tracker_comment",
  "tracker_post_mortem",
  "tracker_follow_up",
]);

export interface TrackerRunnerDeps {
  clients: Partial<Record<TrackerName, TrackerClient>>;
  store: Pick<RunStore, "getComplete">;
  /** Records on the run through the engine. */
  report: (runId: string, event: RunEvent, eventId: string) => Promise<unknown>;
  /** A link to the run's message in Slack, when there is one. */
  runLink?: (run: Run) => Promise<string | undefined>;
  log: Logger;
  now: () => Date;
}

export type TrackerRunner = ReturnType<typeof createTrackerRunner>;

export function createTrackerRunner(deps: TrackerRunnerDeps) {
  const { clients, log } = deps;

  async function carryOut(run: Run, stored: StoredEffect, ledger: EffectLedger): Promise<void> {
    const effect = stored.effect as TrackerEffect;
    const done = () => ledger.mark(stored.id, { status: "done", at: deps.now().toISOString() });
    // A rehearsal never reaches a tracker (the core asks for none; this is the last guard).
    if (run.dryRun) return done();
    const tracker = trackerOf(run, effect);
    if (!tracker) return done();
    const client = clients[tracker];
    if (!client) {
      // A ticket in a tracker Preflight is not configured for is only a link; a post-mortem for
      // one was warned about at start (start-trackers.ts), once, not in every run's thread.
      if (effect.type !== "tracker_comment")
        log.info("no post-mortem issue: its tracker is not configured", { runId: run.id, tracker });
      return done();
    }
    try {
      switch (effect.type) {
        case "tracker_comment":
          await comment(client, run, effect, stored.id, ledger);
          break;
        case "tracker_post_mortem":
          await postMortem(client, run, stored.id, ledger);
          break;
        case "tracker_follow_up":
          await followUp(client, run, effect.index, stored.id, ledger);
          break;
      }
    } catch (error) {
      if (!(error instanceof TrackerError)) throw error;
      if (error.kind === "permanent")
        await refused(run, tracker, fixFor(client, run, effect, error), stored.id);
      throw new PreflightError("tracker", error.message, {
        platformCode: String(error.status ?? "no answer"),
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      });
    }
    await accepted(run, tracker, stored.id);
    return done();
  }

  async function comment(
    client: TrackerClient,
    run: Run,
    effect: Extract<TrackerEffect, { type: "tracker_comment" }>,
    effectId: string,
    ledger: EffectLedger,
  ): Promise<void> {
    const ticket = parseTicket(effect.ticket) as TicketRef;
    const landed = ledger.get(effectId)?.status === "tried" && (await client.hasComment(ticket, effectId));
    if (!landed) {
      const fresh = (await deps.store.getComplete(run.id)) ?? run;
      const link = await deps.runLink?.(fresh);
      const body =
        effect.phase === "start"
          ? startComment(fresh, client.name, link)
          : endComment(fresh, client.name, link, deps.now());
      await ledger.mark(effectId, { status: "tried", at: deps.now().toISOString() });
      await client.addComment(ticket, client.withMarker(body, effectId));
    }
    if (effect.phase === "start") {
      const url = await client.ticketLink(ticket);
      if (url && url !== run.ticketUrl)
        await report(
          run,
          { type: "tracker_linked", role: "ticket", ref: effect.ticket, url, by: PREFLIGHT_USER },
          `tracker.ticket.${effectId}`,
        );
    }
  }

  async function postMortem(client: TrackerClient, run: Run, effectId: string, ledger: EffectLedger) {
    const fresh = (await deps.store.getComplete(run.id)) ?? run;
    if (fresh.tracker?.postMortem) return;
    const place = placeOf(fresh) as IssuePlace;
    let issue: TrackerIssueRef | undefined;
    if (ledger.get(effectId)?.status === "tried") issue = await client.findIssue(place, effectId);
    if (!issue) {
      await ledger.mark(effectId, { status: "tried", at: deps.now().toISOString() });
      issue = await client.createIssue(place, {
        title: postMortemTitle(fresh, client.name),
        body: client.withMarker(postMortemBody(fresh, client.name, deps.now()), effectId),
      });
    }
    await report(
      run,
      { type: "tracker_linked", role: "post_mortem", ...issue, by: PREFLIGHT_USER },
      `tracker.pm.${effectId}`,
    );
  }

  async function followUp(
    client: TrackerClient,
    run: Run,
    index: number,
    effectId: string,
    ledger: EffectLedger,
  ) {
    let fresh = (await deps.store.getComplete(run.id)) ?? run;
    const postMortemIssue = fresh.tracker?.postMortem;
    if (!postMortemIssue)
      throw new TrackerError(client.name, "transient", undefined, "the post-mortem issue does not exist yet");
    if (!fresh.tracker?.followUps[String(index)]) {
      const place = placeOf(fresh) as IssuePlace;
      const parent = client.name === "jira" ? postMortemIssue.ref : undefined;
      let issue: TrackerIssueRef | undefined;
      if (ledger.get(effectId)?.status === "tried") issue = await client.findIssue(place, effectId, parent);
      if (!issue) {
        await ledger.mark(effectId, { status: "tried", at: deps.now().toISOString() });
        issue = await client.createIssue(place, {
          title: followUpTitle(fresh, index, client.name),
          body: client.withMarker(followUpBody(fresh, index, client.name, postMortemIssue), effectId),
          ...(parent ? { parent } : {}),
        });
      }
      await report(
        run,
        { type: "tracker_linked", role: "follow_up", index, ...issue, by: PREFLIGHT_USER },
        `tracker.fu.${effectId}`,
      );
      fresh = (await deps.store.getComplete(run.id)) ?? fresh;
    }
    // The post-mortem issue is edited, never made again: it keeps the marker it was created with.
    const current = await client.issueBody(postMortemIssue.ref);
    // Its marker is the one Preflight wrote: the last line that is nothing but the marker (people's
    // text never holds `preflight:`, but an edited body might, above it).
    const marker = [...current.matchAll(/^(?:<!-- )?preflight:([A-Za-z0-9_.:-]+)(?: -->)?[ \t\r]*$/gm)].at(
      -1,
    )?.[1];
    const body = postMortemBody(fresh, client.name, deps.now());
    await client.updateIssue(postMortemIssue.ref, marker ? client.withMarker(body, marker) : body);
  }

  async function report(run: Run, event: RunEvent, eventId: string) {
    await deps.report(run.id, event, eventId);
  }

  async function refused(run: Run, tracker: TrackerName, message: string, effectId: string) {
    log.warn("a tracker refused Preflight", { runId: run.id, tracker, message });
    // Said once per run and tracker until a call succeeds: retries add nothing to the run's log.
    const fresh = await deps.store.getComplete(run.id);
    if (fresh?.tracker?.refused.includes(tracker)) return;
    await report(
      run,
      { type: "tracker_refused", tracker, message, by: PREFLIGHT_USER },
      `tracker.refused.${effectId}.${deps.now().getTime()}`,
    ).catch((error: unknown) =>
      log.warn("could not record a tracker's refusal", { runId: run.id, error: String(error) }),
    );
  }

  async function accepted(run: Run, tracker: TrackerName, effectId: string) {
    const fresh = (await deps.store.getComplete(run.id)) ?? run;
    if (!fresh.tracker?.refused.includes(tracker)) return;
    await report(
      run,
      { type: "tracker_accepted", tracker, by: PREFLIGHT_USER },
      `tracker.accepted.${effectId}`,
    );
  }

  /** Each follow-up's issue and whether it is open or closed now, for `/maintenance summary`. */
  async function followUpStates(
    run: Run,
  ): Promise<Record<number, TrackerIssueRef & { state?: "open" | "closed" }>> {
    const tracker = run.plan.post_mortem?.tracker;
    const client = tracker ? clients[tracker] : undefined;
    const entries = Object.entries(run.tracker?.followUps ?? {});
    const states = await Promise.all(
      entries.map(async ([index, issue]) => {
        const state =
          client && !run.dryRun ? await client.issueState(issue.ref).catch(() => undefined) : undefined;
        return [Number(index), { ...issue, ...(state ? { state } : {}) }] as const;
      }),
    );
    return Object.fromEntries(states);
  }

  return { carryOut, followUpStates };
}

function trackerOf(run: Run, effect: TrackerEffect): TrackerName | undefined {
  if (effect.type === "tracker_comment") return parseTicket(effect.ticket)?.tracker;
  return run.plan.post_mortem?.tracker;
}

function placeOf(run: Run): IssuePlace | undefined {
  const rule = run.plan.post_mortem;
  if (!rule) return undefined;
  if (rule.tracker === "github") {
    const [owner, repo] = (rule.repo ?? "/").split("/") as [string, string];
    return { tracker: "github", owner, repo, labels: rule.labels };
  }
  return {
    tracker: "jira",
    project: rule.project ?? "",
    issueType: rule.issue_type,
    subtaskType: rule.subtask_type,
    labels: rule.labels,
  };
}

/** The refusal in words a person can act on, naming the variable and the repository or project. */
function fixFor(client: TrackerClient, run: Run, effect: TrackerEffect, error: TrackerError): string {
  const name = trackerTitle(client.name);
  const variable = client.tokenVariable;
  const rule = run.plan.post_mortem;
  const target =
    effect.type === "tracker_comment"
      ? effect.ticket
      : client.name === "github"
        ? (rule?.repo ?? "the repository")
        : `project ${rule?.project ?? "?"}`;
  const verb = effect.type === "tracker_comment" ? "comment on" : "create issues in";
  if (error.status === 401)
    return `${name} refused ${variable} (401) while trying to ${verb} ${target}: set a valid token in ${variable} and restart Preflight. Preflight keeps trying.`;
  const grant =
    client.name === "github"
      ? "give it Issues read and write on that repository"
      : "give its account permission to browse and create issues and comments there";
  return `${variable} cannot ${verb} ${target} (${name} answered ${error.status ?? "an error"}): ${grant}, or check the name. Preflight keeps trying.`;
}
