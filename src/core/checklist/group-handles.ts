import type { Checklist } from "./schema.js";

/**
 * Checklists may name a user group by its `@handle` (`verifiers: ["@dba-team"]`); Preflight
 * replaces each handle with the group's id when it loads the checklist, so runs only ever hold
 * ids. A handle nobody has is a mistake in the file: the checklist is left out, saying which.
 */

const isHandle = (id: string) => id.startsWith("@");

function mapPeople(checklist: Checklist, map: (id: string) => string): Checklist {
  const list = (ids: string[] | undefined) => ids?.map(map);
  const one = <T extends string | undefined>(id: T): T => (id === undefined ? id : (map(id) as T));
  const environments = checklist.rules.environments
    ? Object.fromEntries(
        Object.entries(checklist.rules.environments).map(([name, env]) => [
          name,
          env.verifiers ? { ...env, verifiers: list(env.verifiers) } : env,
        ]),
      )
    : undefined;
  return {
    ...checklist,
    rules: {
      ...checklist.rules,
      ...(checklist.rules.starters ? { starters: list(checklist.rules.starters) } : {}),
      ...(checklist.rules.verifiers ? { verifiers: list(checklist.rules.verifiers) } : {}),
      ...(environments ? { environments } : {}),
    },
    phases: checklist.phases.map((phase) => ({
      ...phase,
      ...(phase.assignee ? { assignee: one(phase.assignee) } : {}),
      steps: phase.steps.map((step) => ({
        ...step,
        ...(step.verifiers ? { verifiers: list(step.verifiers) } : {}),
        ...(step.assignee ? { assignee: one(step.assignee) } : {}),
        ...(step.decision ? { decision: { ...step.decision, decider: map(step.decision.decider) } } : {}),
      })),
    })),
  };
}

/** Every `@handle` the checklist names, once each. */
export function handlesIn(checklist: Checklist): string[] {
  const found = new Set<string>();
  mapPeople(checklist, (id) => {
    if (isHandle(id)) found.add(id);
    return id;
  });
  return [...found];
}

export type HandleResolution = { ok: true; checklist: Checklist } | { ok: false; message: string };

/** Replaces each `@handle` with its group's id (`ids`: handle without @ → id). */
export function resolveHandles(checklist: Checklist, ids: ReadonlyMap<string, string>): HandleResolution {
  const unknown = handlesIn(checklist).filter((handle) => !ids.has(handle.slice(1)));
  if (unknown.length > 0)
    return {
      ok: false,
      message: `no Slack user group has the handle ${unknown.join(", ")}: use an existing group's @handle or its id (S…)`,
    };
  return {
    ok: true,
    checklist: mapPeople(checklist, (id) => (isHandle(id) ? (ids.get(id.slice(1)) ?? id) : id)),
  };
}
