import { type Check, isCheck } from "../core/checklist/check-schema.js";
import type { Action } from "../core/checklist/schema.js";
import { formatDuration, parseDuration } from "../core/duration.js";
import {
  RdsError,
  type RdsGateway,
  type RdsSnapshotState,
  type RdsTargetState,
  RUN_TAG,
} from "../core/rds.js";
import { plannedCalls } from "../core/rds-calls.js";
import { PREFLIGHT_USER, type RunEvent } from "../core/run/run-schema.js";
import type { ActionJob } from "../core/timed-jobs.js";
import type { CheckOutcome } from "./check-executor.js";

/**
 * Runs a step's RDS action and reports the outcome to the run as events. Idempotent, because a
 * job whose process died is run again: an existing snapshot is waited for rather than created
 * twice, and a modification already under way is not requested again.
 */

export { type ActionJob, actionJobSchema } from "../core/timed-jobs.js";

export interface ActionExecutorDeps {
  gateway: RdsGateway;
  /** Applies an event to the run; the event id makes a repeated report apply once. */
  report: (runId: string, event: RunEvent, eventId: string) => Promise<void>;
  defaultRegion: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Polling interval: starts at `first`, grows by half each time up to `max` (ms). */
  pollMs?: { first: number; max: number };
  /** How long a snapshot may take before the step fails. */
  snapshotTimeoutMs?: number;
  /** Extra attempts after RDS kept throttling past the SDK's own retries. */
  throttleRetries?: number;
  /** Runs http.check and sql.check (check-executor.ts). */
  checks?: {
    run(check: Check, dryRun: boolean, progress: (status: string) => Promise<void>): Promise<CheckOutcome>;
  };
}

class ActionFailure extends Error {}

export function createActionExecutor(deps: ActionExecutorDeps) {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const poll = deps.pollMs ?? { first: 5_000, max: 30_000 };
  const snapshotTimeoutMs = deps.snapshotTimeoutMs ?? 2 * 3_600_000;

  async function execute(job: ActionJob): Promise<void> {
    const { runId, stepId, jobId } = job;
    let progressCount = 0;
    const progress = (status: string) =>
      deps.report(
        runId,
        { type: "action_progress", stepId, status, by: PREFLIGHT_USER },
        `${jobId}.progress.${++progressCount}`,
      );
    let event: RunEvent;
    const action = job.action;
    if (isCheck(action)) {
      const outcome: CheckOutcome = deps.checks
        ? await deps.checks.run(action, job.dryRun, progress)
        : { ok: false, error: `this bot cannot run ${action.type} (no check runner is configured)` };
      event = checkEvent(stepId, outcome);
      await deps.report(runId, event, `${jobId}.result`);
      return;
    }
    try {
      const results = job.dryRun
        ? await dryRun(job.action, progress, runId)
        : await run(action, progress, runId);
      event = { type: "action_succeeded", stepId, results, by: PREFLIGHT_USER };
    } catch (error) {
      event = { type: "action_failed", stepId, error: failureText(error), by: PREFLIGHT_USER };
    }
    await deps.report(runId, event, `${jobId}.result`);
  }

  async function dryRun(
    action: Action,
    progress: (status: string) => Promise<void>,
    runId: string,
  ): Promise<Record<string, string>> {
    const calls = plannedCalls(action, runId);
    await progress(`dry run: would call ${calls.join(" → ")}`);
    const results: Record<string, string> = { dry_run: "true", calls: calls.join(" → ") };
    // Later steps and reminders may name the snapshot: in a dry run, name the one it would take.
    if (action.type === "rds.snapshot" || action.type === "rds.delete_snapshot") results.id = action.snapshot;
    return results;
  }

  async function run(
    action: Exclude<Action, Check>,
    progress: (status: string) => Promise<void>,
    runId: string,
  ): Promise<Record<string, string>> {
    const region = action.region ?? deps.defaultRegion;
    const started = now().getTime();
    const { gateway } = deps;
    switch (action.type) {
      case "rds.snapshot": {
        const created = await retryThrottled(() =>
          gateway
            .createSnapshot(action.target, action.identifier, action.snapshot, region, { [RUN_TAG]: runId })
            .catch(async (error: unknown) => {
              if (!(error instanceof RdsError) || error.kind !== "already_exists") throw error;
              return adoptOwnSnapshot(action.target, action.identifier, action.snapshot, region, runId);
            }),
        );
        await progress(`snapshot ${created.id} ${snapshotStatus(created)}`);
        const snapshot = await pollUntil(
          () => gateway.describeSnapshot(action.target, action.snapshot, region),
          (s) => s.status === "available",
          (s) => `snapshot ${s.id} ${snapshotStatus(s)}`,
          snapshotTimeoutMs,
          started,
          progress,
        );
        return snapshotResults(snapshot);
      }
      case "rds.wait_for_status": {
        const timeoutMs = parseDuration(action.timeout) ?? 0;
        const state = await pollUntil(
          () => gateway.describe(action.target, action.identifier, region),
          (s) => s.status === action.status,
          (s) => `${action.identifier} is ${s.status}`,
          timeoutMs,
          started,
          progress,
        );
        return { ...targetResults(state), waited: formatDuration(now().getTime() - started) };
      }
      case "rds.check": {
        const state = await retryThrottled(() => gateway.describe(action.target, action.identifier, region));
        const seen: Record<string, string> = {
          engine_version: state.engineVersion,
          parameter_group: state.parameterGroup,
          status: state.status,
        };
        const mismatches = Object.entries(action.expect)
          .filter(([key, expected]) => expected !== undefined && seen[key] !== expected)
          .map(([key, expected]) => `${key}: expected ${expected}, found ${seen[key]}`);
        if (mismatches.length > 0)
          throw new ActionFailure(`${action.identifier} does not match: ${mismatches.join("; ")}`);
        return targetResults(state);
      }
      case "rds.modify": {
        const state = await retryThrottled(() => gateway.describe(action.target, action.identifier, region));
        const versionDone =
          !action.engine_version ||
          state.engineVersion === action.engine_version ||
          state.pendingEngineVersion === action.engine_version;
        const groupDone = !action.parameter_group || state.parameterGroup === action.parameter_group;
        if (versionDone && groupDone) return { ...targetResults(state), requested: "already" };
        const changes = {
          applyImmediately: action.apply_immediately,
          ...(action.engine_version ? { engineVersion: action.engine_version } : {}),
          ...(action.parameter_group ? { parameterGroup: action.parameter_group } : {}),
        };
        const modified = await retryThrottled(() =>
          gateway.modify(action.target, action.identifier, changes, region),
        );
        return { ...targetResults(modified), requested: "now" };
      }
      case "rds.delete_snapshot": {
        const snapshot = await retryThrottled(() =>
          gateway.describeSnapshot(action.target, action.snapshot, region),
        );
        await retryThrottled(() => gateway.deleteSnapshot(action.target, action.snapshot, region));
        return { ...snapshotResults(snapshot), status: "deleted" };
      }
      case "rds.restore_snapshot": {
        // A retry after the process died finds the instance already there: it is waited for.
        const restored = await retryThrottled(() =>
          gateway
            .restoreSnapshot(action.snapshot, action.identifier, region, { [RUN_TAG]: runId })
            .catch(async (error: unknown) => {
              if (!(error instanceof RdsError) || error.kind !== "already_exists") throw error;
              return adoptOwnInstance(action.identifier, region, runId);
            }),
        );
        await progress(`${restored.id} is ${restored.status}`);
        const state = await pollUntil(
          () => gateway.describe("instance", action.identifier, region),
          (s) => s.status === "available",
          (s) => `${action.identifier} is ${s.status}`,
          parseDuration(action.timeout) ?? 0,
          started,
          progress,
        );
        return { ...targetResults(state), instance: action.identifier, snapshot: action.snapshot };
      }
    }
  }

  /**
   * The name is taken. Adopt the snapshot only when this run took it (an earlier attempt of this
   * job, the process died waiting): anything else may predate the step, e.g. from before writes stopped.
   */
  async function adoptOwnSnapshot(
    target: Exclude<Action, Check>["target"],
    sourceId: string,
    snapshotId: string,
    region: string,
    runId: string,
  ): Promise<RdsSnapshotState> {
    const existing = await retryThrottled(() => deps.gateway.describeSnapshot(target, snapshotId, region));
    const tags = existing.tags ?? (await retryThrottled(() => deps.gateway.listTags(existing.arn, region)));
    const takenBy = tags[RUN_TAG];
    if (takenBy === runId && existing.sourceId === sourceId) return existing;
    const created = existing.createdAt ? `created ${existing.createdAt}` : "creation time unknown";
    const owner = takenBy ? `by run ${takenBy}` : "not by Preflight";
    throw new ActionFailure(
      `the snapshot name ${snapshotId} is taken by an existing snapshot of ${existing.sourceId || "another source"} (${existing.arn || snapshotId}, ${created}, taken ${owner}), not one this run took. Give the step another snapshot name, or delete that snapshot if nobody needs it, then retry.`,
    );
  }

  /** The instance name is taken: adopt it only when this run's restore made it (a job run again). */
  async function adoptOwnInstance(instanceId: string, region: string, runId: string) {
    const tags = await retryThrottled(() => deps.gateway.instanceTags(instanceId, region));
    if (tags[RUN_TAG] === runId)
      return retryThrottled(() => deps.gateway.describe("instance", instanceId, region));
    const owner = tags[RUN_TAG] ? `by run ${tags[RUN_TAG]}` : "not by Preflight";
    throw new ActionFailure(
      `DB instance ${instanceId} already exists and was made ${owner}, not by this run's restore. Give the rollback another identifier, or delete that instance if nobody needs it, then retry.`,
    );
  }

  async function pollUntil<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    describe: (value: T) => string,
    timeoutMs: number,
    started: number,
    progress: (status: string) => Promise<void>,
  ): Promise<T> {
    let wait = poll.first;
    let last = "";
    for (;;) {
      const value = await retryThrottled(read);
      const status = describe(value);
      if (done(value)) return value;
      if (status !== last) {
        await progress(`${status} · ${formatDuration(now().getTime() - started)}`);
        last = status;
      }
      if (now().getTime() - started >= timeoutMs) {
        throw new ActionFailure(`timed out after ${formatDuration(timeoutMs)}: ${status}`);
      }
      await sleep(wait);
      wait = Math.min(Math.round(wait * 1.5), poll.max);
    }
  }

  async function retryThrottled<T>(call: () => Promise<T>): Promise<T> {
    const retries = deps.throttleRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof RdsError) || error.kind !== "throttled" || attempt >= retries) throw error;
        await sleep(poll.first * 2 ** attempt);
      }
    }
  }

  return { execute };
}

function checkEvent(stepId: string, outcome: CheckOutcome): RunEvent {
  const check = outcome.check ? { check: outcome.check } : {};
  if (outcome.ok)
    return { type: "action_succeeded", stepId, results: outcome.results, ...check, by: PREFLIGHT_USER };
  return {
    type: "action_failed",
    stepId,
    error: outcome.error,
    ...(outcome.results ? { results: outcome.results } : {}),
    ...check,
    by: PREFLIGHT_USER,
  };
}

function snapshotStatus(snapshot: RdsSnapshotState): string {
  return snapshot.percentProgress !== undefined && snapshot.status !== "available"
    ? `${snapshot.status} ${snapshot.percentProgress}%`
    : snapshot.status;
}

function snapshotResults(snapshot: RdsSnapshotState): Record<string, string> {
  return {
    id: snapshot.id,
    arn: snapshot.arn,
    status: snapshot.status,
    ...(snapshot.createdAt ? { created_at: snapshot.createdAt } : {}),
    ...(snapshot.sizeGiB !== undefined ? { size_gib: String(snapshot.sizeGiB) } : {}),
    ...(snapshot.engineVersion ? { engine_version: snapshot.engineVersion } : {}),
  };
}

function targetResults(state: RdsTargetState): Record<string, string> {
  return {
    status: state.status,
    engine_version: state.engineVersion,
    parameter_group: state.parameterGroup,
    ...(state.pendingEngineVersion ? { pending_engine_version: state.pendingEngineVersion } : {}),
  };
}

/** The line shown on the failed step: what AWS said, never a stack trace. */
function failureText(error: unknown): string {
  if (error instanceof RdsError || error instanceof ActionFailure) return error.message;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
