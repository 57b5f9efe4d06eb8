import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { groupsNamedIn } from "../../core/run/people.js";
import { decodeActionValue } from "../action-value.js";
import type { SlackDeps } from "../deps.js";
import { HOME_ACTIONS, homeView } from "../render/home-view.js";
import { replyPrivately } from "../reply.js";

/**
 * The Home tab, per person: drawn when they open it (`app_home_opened` → `views.publish`) and
 * after a click on it. Its Verify / Approve buttons apply the same events as the run message's.
 */

type HomeDeps = Pick<SlackDeps, "log" | "refs" | "service" | "people">;

const openedSchema = z.object({ user: z.string().regex(/^[UW][A-Z0-9_]+$/), tab: z.string().optional() });
const homeClickSchema = z.object({
  user: z.object({ id: z.string() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string() })).min(1),
});

export async function publishHome(deps: HomeDeps, client: WebClient, user: string): Promise<void> {
  const runs = await deps.service.allActiveRuns();
  const named = [...new Set(runs.flatMap(groupsNamedIn))];
  const groups = deps.people && named.length > 0 ? await deps.people.groupsOf(user, named) : [];
  const links = new Map<string, string>();
  await Promise.all(
    runs.map(async (run) => {
      const ref = await deps.refs.get(run.id);
      if (!ref) return;
      const answer = await client.chat
        .getPermalink({ channel: ref.channel, message_ts: ref.ts })
        .catch(() => undefined);
      if (answer?.permalink) links.set(run.id, answer.permalink);
    }),
  );
  await client.views.publish({ user_id: user, view: homeView({ user, runs, groups, links }) });
}

export function register(app: App, deps: HomeDeps): void {
  app.event("app_home_opened", async ({ event, client }) => {
    const opened = openedSchema.safeParse(event);
    if (!opened.success || (opened.data.tab && opened.data.tab !== "home")) return;
    await publishHome(deps, client, opened.data.user);
  });

  for (const actionId of Object.values(HOME_ACTIONS)) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const click = homeClickSchema.safeParse(body);
      const value = click.success ? decodeActionValue(click.data.actions[0]?.value) : undefined;
      if (!click.success || !value?.s) return;
      const user = click.data.user.id;
      const type = actionId === HOME_ACTIONS.verify ? "verify_step" : "approve_step";
      const { result } = await deps.service.act(
        value.r,
        { type, stepId: value.s, by: user, expectedProgress: value.v },
        `home.${user}.${value.r}.${value.s}.${value.v}`,
      );
      if (result.status === "refused") {
        const run = await deps.service.get(value.r);
        if (run)
          await replyPrivately(client, deps.log, { channel: run.channel, user }, result.refusal.message);
      }
      await publishHome(deps, client, user);
    });
  }
}
