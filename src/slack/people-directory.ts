import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import type { PeopleDirectory } from "../core/people-directory.js";
import type { Logger } from "../core/ports.js";

/**
 * Who people are, from Slack: group members (usergroups.users.list), group handles
 * (usergroups.list), display names (users.info). Answers are kept a short while so a burst of
 * clicks asks Slack once; a membership that changed is seen after `ttlMs`. Only a cache: losing
 * it on restart loses nothing.
 */

const membersSchema = z.object({ users: z.array(z.string()).default([]) });
const groupsSchema = z.object({
  usergroups: z.array(z.object({ id: z.string(), handle: z.string() })).default([]),
});
const userSchema = z.object({
  user: z.object({
    id: z.string().optional(),
    is_bot: z.boolean().optional(),
    is_app_user: z.boolean().optional(),
    deleted: z.boolean().optional(),
    name: z.string().optional(),
    real_name: z.string().optional(),
    profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
  }),
});

export interface PeopleDirectoryOptions {
  client: WebClient;
  log: Logger;
  now?: () => Date;
  /** How long an answer is kept (ms): one minute for members, longer for names. */
  ttlMs?: number;
}

export function createSlackPeopleDirectory(options: PeopleDirectoryOptions): PeopleDirectory {
  const { client, log } = options;
  const now = options.now ?? (() => new Date());
  const ttl = options.ttlMs ?? 60_000;
  const cache = new Map<string, { until: number; value: Promise<unknown> }>();

  function cached<T>(key: string, ms: number, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && hit.until > now().getTime()) return hit.value as Promise<T>;
    const value = load();
    cache.set(key, { until: now().getTime() + ms, value });
    // A failed lookup is not kept: the next click asks again.
    value.catch(() => cache.delete(key));
    return value;
  }

  async function membersOf(group: string): Promise<string[]> {
    try {
      return await cached(
        `members:${group}`,
        ttl,
        async () => membersSchema.parse(await client.usergroups.users.list({ usergroup: group })).users,
      );
    } catch (error) {
      log.warn("could not read a user group's members; counted as not a member", {
        group,
        error: error instanceof Error ? error.message : String(error),
      });
      return [];
    }
  }

  /** users.info, kept a while: a name or a bot flag changes rarely. */
  const userInfo = (user: string) =>
    cached(`user:${user}`, ttl * 60, async () => userSchema.parse(await client.users.info({ user })).user);

  return {
    membersOf,
    async groupsOf(user, groups) {
      const members = await Promise.all(
        groups.map(async (group) => [group, await membersOf(group)] as const),
      );
      return members.filter(([, users]) => users.includes(user)).map(([group]) => group);
    },
    groupIds: () =>
      cached("handles", ttl, async () => {
        const { usergroups } = groupsSchema.parse(await client.usergroups.list({}));
        return new Map(usergroups.map((group) => [group.handle, group.id]));
      }),
    async displayName(user) {
      try {
        const found = await userInfo(user);
        const name = found.profile?.display_name || found.real_name || found.profile?.real_name || found.name;
        return name || undefined;
      } catch {
        return undefined;
      }
    },
    async isPerson(user) {
      try {
        const found = await userInfo(user);
        return !(found.is_bot || found.is_app_user || found.deleted || user === "USLACKBOT");
      } catch (error) {
        log.warn("could not tell whether a user is a person; decided on the id alone", {
          user,
          error: error instanceof Error ? error.message : String(error),
        });
        return undefined;
      }
    },
  };
}
