import type { Redis } from "ioredis";
import type { WindowStore } from "../core/ports.js";
import { type MaintenanceWindow, windowSchema } from "../core/window.js";

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

export function createRedisWindowStore(redis: Redis, prefix = "preflight:"): WindowStore {
  const key = (id: string) => `${prefix}window:${id}`;
  const parse = (json: string | null) => (json === null ? undefined : windowSchema.parse(JSON.parse(json)));
  return {
    async save(window: MaintenanceWindow) {
      await redis.set(key(window.id), JSON.stringify(window));
    },
    async get(windowId: string) {
      return parse(await redis.get(key(windowId)));
    },
    async claim(windowId: string, status: "started" | "cancelled") {
      return parse((await redis.eval(CLAIM, 1, key(windowId), status)) as string | null);
    },
  };
}
