import { type Answer, fail, isObj, ok, str, viewProblem } from "./slack-limits.js";

/**
 * The local Slack's people surfaces: user groups (usergroups.list, usergroups.users.list) and
 * each person's Home tab (views.publish). Kept apart from slack-api.ts, which serves them.
 */

type Args = Record<string, unknown>;

export interface UserGroup {
  id: string;
  handle: string;
  users: string[];
}

export interface PeopleSurfaces {
  handlers: Record<string, (args: Args) => Answer>;
  /** A user group as Slack knows it (members included). */
  setUserGroup(group: UserGroup): void;
  /** The Home tab last published for a person. */
  homeView(user: string): { blocks?: unknown[] } | undefined;
  reset(): void;
}

export function createPeopleSurfaces(nextId: (prefix: string) => string): PeopleSurfaces {
  const groups = new Map<string, UserGroup>();
  const homes = new Map<string, Args>();
  return {
    handlers: {
      "usergroups.list": () =>
        ok({
          usergroups: [...groups.values()].map((g) => ({ id: g.id, handle: g.handle, name: g.handle })),
        }),
      "usergroups.users.list": (args) => {
        const group = groups.get(str(args.usergroup));
        return group ? ok({ users: [...group.users] }) : fail("no_such_subteam");
      },
      "views.publish": (args) => {
        const user = str(args.user_id);
        if (!/^[UW][A-Z0-9_]+$/.test(user)) return fail("invalid_arguments", "user_id is required");
        if (!isObj(args.view) || args.view.type !== "home")
          return fail("invalid_arguments", "views.publish takes a home view");
        const problem = viewProblem(args.view);
        if (problem) return fail("invalid_arguments", problem);
        const view = { id: nextId("V"), ...args.view };
        homes.set(user, view);
        return ok({ view });
      },
    },
    setUserGroup: (group) => groups.set(group.id, { ...group, users: [...group.users] }),
    homeView: (user) => homes.get(user) as { blocks?: unknown[] } | undefined,
    reset() {
      groups.clear();
      homes.clear();
    },
  };
}
