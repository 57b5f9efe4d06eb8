import { type Answer, fail, ok, str, viewProblem } from "./slack-limits.js";

/**
 * The local Slack's modals: views.open, views.push and views.update. Kept apart from
 * slack-api.ts, which serves them.
 */

type Args = Record<string, unknown>;

export interface ViewSurfaces {
  handlers: Record<string, (args: Args) => Answer>;
  reset(): void;
}

export function createViewSurfaces(ids: {
  teamId: string;
  botId: string;
  nextId: (prefix: string) => string;
  nextTs: () => string;
}): ViewSurfaces {
  const { teamId, botId, nextId, nextTs } = ids;
  const views = new Map<string, Args>();
  const publicView = (id: string, view: Args, extra: Args = {}) => {
    const full = {
      id,
      team_id: teamId,
      app_id: "A0001",
      bot_id: botId,
      hash: nextTs(),
      state: { values: {} },
      ...view,
      ...extra,
    };
    views.set(id, full);
    return full;
  };

  const openView = (args: Args, isRoot: boolean): Answer => {
    if (!str(args.trigger_id)) return fail("invalid_arguments", "trigger_id is required");
    const problem = viewProblem(args.view);
    if (problem) return fail("invalid_arguments", problem);
    const id = nextId("V");
    return ok({ view: publicView(id, args.view as Args, isRoot ? { root_view_id: id } : {}) });
  };

  return {
    handlers: {
      "views.open": (args) => openView(args, true),
      "views.push": (args) => openView(args, false),
      "views.update": (args) => {
        const id =
          str(args.view_id) || [...views.values()].find((v) => v.external_id === args.external_id)?.id;
        if (typeof id !== "string" || !views.has(id)) return fail("not_found");
        const problem = viewProblem(args.view);
        if (problem) return fail("invalid_arguments", problem);
        const previous = views.get(id) ?? {};
        return ok({ view: publicView(id, args.view as Args, { root_view_id: previous.root_view_id }) });
      },
    },
    reset: () => views.clear(),
  };
}
