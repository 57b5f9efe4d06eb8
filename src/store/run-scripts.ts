/**
 * The run store's Lua scripts. Each runs atomically in Redis; each is sent once per connection
 * and called by SHA afterwards (`scriptOf` in redis-scripts.ts).
 */

/**
 * The scripts' first check, before any write: past the deadline (redis-deadline.ts) the commit
 * is refused. `argv`: the index of the deadline among the script's ARGV.
 */
export const deadlineCheck = (argv: number) => `
if ARGV[${argv}] ~= '' then
  local t = redis.call('TIME')
  local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if now_ms > tonumber(ARGV[${argv}]) then return {'late', ''} end
end`;

/**
 * Stores a new run with its first effects. The plan is stored beforehand (by hash, SET NX).
 * KEYS: 1 run, 2 active set of the channel, 3 log, 4 run's outbox, 5 runs with an outbox,
 *       6 redraws wanted, 7 history, 8 history entries that moved the run on, 9 notes
 * ARGV: 1 version, 2 run document, 3 run id, 4 log entry, 5 outbox entry id, 6 outbox entry
 *       ('' if none), 7 history count h, 8 moves count m, 9 notes count n, 10 deadline in Redis's
 *       clock (ms; '' = none; redis-deadline.ts), then h + m + n items
 * Returns 1, 0 when the run exists, or {'late', ''} past the deadline (nothing written).
 */
export const CREATE_RUN = `${deadlineCheck(10)}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'json', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[3], ARGV[4])
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
  redis.call('SADD', KEYS[5], ARGV[3])
end
redis.call('HSET', KEYS[6], ARGV[3], ARGV[1])
local i = 11
for list = 7, 9 do
  for _ = 1, tonumber(ARGV[list]) do
    redis.call('RPUSH', KEYS[list], ARGV[i])
    i = i + 1
  end
end
return 1`;

/**
 * Commits one decided event. Only accepted events are remembered as seen, so a refused click
 * clicked again (after its cause was fixed) is decided again, not dropped as a duplicate. A
 * refusal, too, stands only for the version it was decided on (the store may decide on a view
 * it kept from its last commit).
 * When the run closes, it and everything kept under its id expire after the retention; keys
 * written later (a record on a closed run) take the run's remaining time.
 * KEYS: 1 run, 2 log, 3 seen events, 4 active set of the channel, 5 closed runs of the checklist,
 *       6 run's outbox, 7 runs with an outbox, 8 redraws wanted, 9 history, 10 history entries
 *       that moved the run on, 11 notes, 12 effect records, 13 where the run message is,
 *       14 which run the message's thread belongs to (KEYS[13] again when not known)
 * The closed runs of the checklist (KEYS[5]) live for the retention after the last one closed.
 * ARGV: 1 expected version, 2 new version ('' when refused), 3 run document, 4 log entry,
 *       5 event id, 6 outcome json, 7 closed ('1'/'0'), 8 run id, 9 prior-run summary,
 *       10 outbox entry id, 11 outbox entry ('' if none), 12 retention in seconds ('' = keep),
 *       13 history count h, 14 moves count m, 15 notes count n, 16 deadline in Redis's clock (ms;
 *       '' = none; redis-deadline.ts), 17 redraw ('1' when the run message shows the change, so a
 *       redraw of this version is wanted), 18 effect records count r, then h + m + n items, then r
 *       pairs (effect id, record json) written to KEYS[12] whether the event applies or is refused
 * Returns {'ok'|'refused'|'duplicate'|'missing'|'conflict'|'late', detail}.
 */
export const COMMIT_EVENT = `${deadlineCheck(16)}
local function follow_retention()
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl <= 0 then return end
  for _, k in ipairs({2, 3, 6, 9, 10, 11, 12, 13, 14}) do
    if redis.call('PTTL', KEYS[k]) == -1 then redis.call('PEXPIRE', KEYS[k], ttl) end
  end
end
local seen = redis.call('HGET', KEYS[3], ARGV[5])
if seen then return {'duplicate', seen} end
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return {'missing', ''} end
if version ~= ARGV[1] then return {'conflict', version} end
local r = 19 + tonumber(ARGV[13]) + tonumber(ARGV[14]) + tonumber(ARGV[15])
for _ = 1, tonumber(ARGV[18]) do
  redis.call('HSET', KEYS[12], ARGV[r], ARGV[r + 1])
  r = r + 2
end
if ARGV[2] == '' then
  redis.call('RPUSH', KEYS[2], ARGV[4])
  follow_retention()
  return {'refused', version}
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'json', ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
if ARGV[7] == '1' then
  redis.call('SREM', KEYS[4], ARGV[8])
  redis.call('HSET', KEYS[5], ARGV[8], ARGV[9])
  if ARGV[12] ~= '' then
    redis.call('EXPIRE', KEYS[1], ARGV[12])
    redis.call('EXPIRE', KEYS[5], ARGV[12])
  end
end
if ARGV[11] ~= '' then
  redis.call('HSET', KEYS[6], ARGV[10], ARGV[11])
  redis.call('SADD', KEYS[7], ARGV[8])
end
if ARGV[17] == '1' then redis.call('HSET', KEYS[8], ARGV[8], ARGV[2]) end
local i = 19
for list = 9, 11 do
  for _ = 1, tonumber(ARGV[list + 4]) do
    redis.call('RPUSH', KEYS[list], ARGV[i])
    i = i + 1
  end
end
follow_retention()
return {'ok', ''}`;

/**
 * Records what is known of one effect; on a closed run the record expires with the run.
 * KEYS: 1 effect records, 2 run; ARGV: 1 effect id, 2 record json
 */
export const MARK_EFFECT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

/**
 * A run's working view, read only when it is not the version the caller already holds.
 * KEYS: 1 run, 2 history, 3 moves, 4 notes; ARGV: 1 version held ("" none), 2 history tail,
 * 3 notes tail
 * Returns {} (no such run), {version} (the one held), or {version, json, history length,
 * history tail, moves, notes length, notes tail}
 */
export const READ_VIEW = `
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return {} end
if version == ARGV[1] then return {version} end
return {
  version,
  redis.call('HGET', KEYS[1], 'json'),
  redis.call('LLEN', KEYS[2]),
  redis.call('LRANGE', KEYS[2], -tonumber(ARGV[2]), -1),
  redis.call('LRANGE', KEYS[3], 0, -1),
  redis.call('LLEN', KEYS[4]),
  redis.call('LRANGE', KEYS[4], -tonumber(ARGV[3]), -1),
}`;

/**
 * A run's outbox and the records of the effects in it, in one round trip: records of effects
 * carried out long ago are not read, so the cost follows the outbox, not the run's history.
 * KEYS: 1 run's outbox, 2 effect records; ARGV: 1 the base of numbered parts (`<id>.list0`,
 * `<id>.list1`…, read in order up to the first missing), 2… suffixes of the other records an
 * effect keeps besides its own (`<id>.file`)
 * Returns { outbox entries (json), { effect id, record json, ... } }
 */
export const PENDING_EFFECTS = `
local values = redis.call('HVALS', KEYS[1])
local ids = {}
for _, value in ipairs(values) do
  local ok, entry = pcall(cjson.decode, value)
  if ok and type(entry) == 'table' and type(entry.effects) == 'table' then
    for _, effect in ipairs(entry.effects) do
      if type(effect) == 'table' and type(effect.id) == 'string' then
        ids[#ids + 1] = effect.id
        for i = 2, #ARGV do ids[#ids + 1] = effect.id .. ARGV[i] end
        local part = 0
        while redis.call('HEXISTS', KEYS[2], effect.id .. ARGV[1] .. part) == 1 do
          ids[#ids + 1] = effect.id .. ARGV[1] .. part
          part = part + 1
        end
      end
    end
  end
end
local records = {}
for from = 1, #ids, 500 do
  local chunk = {}
  for i = from, math.min(#ids, from + 499) do chunk[#chunk + 1] = ids[i] end
  local got = redis.call('HMGET', KEYS[2], unpack(chunk))
  for i, id in ipairs(chunk) do
    if got[i] then
      records[#records + 1] = id
      records[#records + 1] = got[i]
    end
  end
end
return {values, records}`;

/**
 * Removes a carried-out outbox entry; the run leaves the set of runs with an outbox when its
 * last entry goes.
 * KEYS: 1 run's outbox, 2 runs with an outbox
 * ARGV: 1 entry id, 2 run id
 */
export const CLEAR_OUTBOX_ENTRY = `
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return 1`;

/**
 * A redraw of version ARGV[2] is done: forget the wish unless a newer version came meanwhile.
 * KEYS: 1 redraws wanted; ARGV: 1 run id, 2 version drawn
 */
export const REDRAWN = `
local wanted = redis.call('HGET', KEYS[1], ARGV[1])
if wanted and tonumber(wanted) <= tonumber(ARGV[2]) then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
return 0`;

/** Releases a lease only if we still hold it. KEYS: 1 lease; ARGV: 1 token */
export const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Extends a lease only if we still hold it. KEYS: 1 lease; ARGV: 1 token, 2 ttl ms */
export const RENEW_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
