import type { Redis } from "ioredis";
import type { WindowStore } from "../core/ports.js";
import { type MaintenanceWindow, windowSchema } from "../core/window.js";
import { createPersonIndex } from "./redis-person-index.js";
import { scriptOf } from "./redis-scripts.js";

// Changes the status only while it is `scheduled`: one Start click wins, a cancel after it loses.
const CLAIM = `
local json = redis.call('GET', KEYS[1])
if not json then return false end
local window = cjson.decode(json)
if window.status ~= 'scheduled' then return false end
window.status = ARGV[1]
local updated = cjson.encode(window)
redis.call('SET', KEYS[1], updated)
return updated`;

export function createRedisWindowStore(
  redis: Redis,
  prefix = "preflight:",
): WindowStore & { forPerson(user: string): Promise<MaintenanceWindow[]> } {
  const key = (id: string) => `${prefix}window:${id}`;
  const people = createPersonIndex(redis, prefix);
  const parse = (json: string | null) => (json === null ? undefined : windowSchema.parse(JSON.parse(json)));
  const claimWindow = scriptOf<string | null>(redis, 1, CLAIM);
  return {
    async save(window: MaintenanceWindow) {
      await redis.set(key(window.id), JSON.stringify(window));
      // The Home tab of whoever scheduled it or is named its buddy lists it.
      const at = new Date(window.startsAt);
      for (const user of new Set([window.owner, ...(window.buddy ? [window.buddy] : [])]))
        await people.add("windows", user, window.id, at);
    },
    /** The windows a person scheduled or is named in, latest start first. */
    async forPerson(user: string) {
      const ids = await people.list("windows", user);
      const windows = await Promise.all(ids.map(async (id) => parse(await redis.get(key(id)))));
      return windows.filter((window): window is MaintenanceWindow => window !== undefined);
    },
    async get(windowId: string) {
      return parse(await redis.get(key(windowId)));
    },
    async claim(windowId: string, status: "started" | "cancelled") {
      return parse(await claimWindow(key(windowId), status));
    },
  };
}
