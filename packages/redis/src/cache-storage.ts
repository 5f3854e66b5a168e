import type { CanonicalKey, SharedCacheItem, SharedCacheScope } from 'cdf-loader';
import { RedisScript } from './redis-client.js';

/*
 * How the shared cache lays out its data in Redis.
 *
 * A scope's keys start with its base, `<keyPrefix>{<project>:<resource>:<principal>}`, each part
 * percent-encoded so that none holds `:`, `{` or `}`: two scopes never share a base, and the
 * braces make the scope Redis Cluster's hash tag, so a script only touches keys of one slot.
 *
 *   <base>:generation          the scope's generation: absent (read as 0) until the first clear
 *   <base>:<generation>:<key>  an entry: the canonical key, an id in decimal (the string kinds
 *                              start with a letter, so the two never meet)
 *   <base>:<generation>:claim:<key>  a replica fetching that key from CDF now (its owner id)
 *   <base>:<generation>:stale:<key>  the entry's copy kept past its TTL for the loader's
 *                              `cache.staleIfErrorMs` (an alias in it reads `>stale:<first key>`),
 *                              read only when a request met an outage
 *   <base>:<generation>:waiters:<key>  the instances waiting for that answer (a set of owner ids):
 *                              each is sent it on `<keyPrefix>stored:<owner>` when it is stored
 *
 * An entry's value is one of:
 *   [<keys as JSON strings>]\n<item JSON>   the record: an item, under its first key (its id)
 *   ><first key>                            an alias: another key of that item points at its record
 *   !                                       "CDF has no such item"
 *
 * A record lists every key it was stored under, so a delete finds the aliases, and a read through
 * an alias checks that the record still claims that key (an item's externalId may have changed).
 * `clear` moves the generation to a new value, so every entry of the scope is unreachable at once
 * (they expire with their TTLs) instead of being searched for with SCAN.
 */

const NOT_FOUND = '!';
const CLAIM = 'claim:';
/** Starts the keys of the copies kept for stale-if-error; a canonical key never starts with `s`. */
export const STALE = 'stale:';
/** The set of instances waiting for a claimed key's answer: each is sent it when it is stored. */
const WAITERS = 'waiters:';
const GENERATION = ':generation';

/** The scope's base: the start of every key of the scope. */
export function scopeBase(keyPrefix: string, scope: SharedCacheScope): string {
  return `${keyPrefix}{${encodeURIComponent(scope.project)}:${encodeURIComponent(scope.resource)}:${encodeURIComponent(scope.principal)}}`;
}

export function generationKey(base: string): string {
  return base + GENERATION;
}

/** A canonical key as it ends an entry's Redis key. */
export function keyPart(key: CanonicalKey): string {
  return typeof key === 'number' ? String(key) : key;
}

/** The arguments `storeScript` takes for one item: how many keys, the keys, the record. */
export function itemArguments({ item, keys }: SharedCacheItem): string[] {
  const parts = keys.map(keyPart);
  return [String(parts.length), ...parts, JSON.stringify(parts) + '\n' + JSON.stringify(item)];
}

/**
 * What `readScript` answered for each key: the item, `null` for "not found", `undefined` for
 * nothing, for an alias its record no longer claims, and for a value that is not an entry of ours
 * (it does not parse, or its record does not name the key): Redis is shared, and what it holds is
 * untrusted input. Each key is decoded on its own, so one bad value is a miss for that key only,
 * overwritten by the next answer, never a failure of the read.
 */
export function decodeEntries(keys: readonly CanonicalKey[], values: readonly (string | null)[]): (object | null | undefined)[] {
  // Several keys of one chunk often name one item: its record is parsed once.
  const records = new Map<string, StoredRecord | undefined>();
  return keys.map((key, index) => {
    const value = values[index];
    if (typeof value !== 'string') return undefined;
    if (value === NOT_FOUND) return null;
    let record = records.get(value);
    if (!records.has(value)) {
      record = parseRecord(value);
      records.set(value, record);
    }
    return record?.keys.includes(keyPart(key)) === true ? record.item : undefined;
  });
}

interface StoredRecord {
  keys: readonly string[];
  item: object;
}

/** A record (`[<keys>]\n<item>`), or `undefined` for anything else. */
function parseRecord(value: string): StoredRecord | undefined {
  const newline = value.indexOf('\n');
  if (newline === -1) return undefined;
  try {
    const keys: unknown = JSON.parse(value.slice(0, newline));
    const item: unknown = JSON.parse(value.slice(newline + 1));
    if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) return undefined;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
    return { keys: keys as string[], item };
  } catch {
    return undefined;
  }
}

/** KEYS: generation. ARGV: base, then the keys. Returns, per key, its record, `!` or nil. */
export const readScript = new RedisScript(`
local base = ARGV[1] .. ':' .. (redis.call('GET', KEYS[1]) or '0') .. ':'
local values = {}
for i = 2, #ARGV do
  local value = redis.call('GET', base .. ARGV[i])
  if value and string.sub(value, 1, 1) == '>' then
    value = redis.call('GET', base .. string.sub(value, 2))
    if value and string.sub(value, 1, 1) ~= '[' then value = false end
  end
  values[i - 1] = value or false
end
return values
`);

/**
 * Lua: `tell(key, item, record)` takes the waiters of a claimed key (see `claimScript`) and notes
 * that each is to be sent `item` (`null` for "not found", `false` for none: read it), or the item
 * of `record` (cut out of it only when someone waits);
 * `send(channels, head)` then publishes one message per waiter on `<channels><owner>`:
 * `<head><keys as JSON>,"items":[…]}`.
 */
const tellWaiters = `
local messages, waiterOrder = {}, {}
local function tell(key, item, record)
  local waitersKey = base .. '${WAITERS}' .. key
  local waiters = redis.call('SMEMBERS', waitersKey)
  if #waiters == 0 then return end
  redis.call('DEL', waitersKey)
  if record then item = string.sub(record, string.find(record, '\\n', 1, true) + 1) end
  for _, waiter in ipairs(waiters) do
    local message = messages[waiter]
    if not message then
      message = { keys = {}, items = {} }
      messages[waiter] = message
      waiterOrder[#waiterOrder + 1] = waiter
    end
    message.keys[#message.keys + 1] = key
    message.items[#message.items + 1] = item
  end
end
local function send(channels, head)
  for _, waiter in ipairs(waiterOrder) do
    local message = messages[waiter]
    redis.call('PUBLISH', channels .. waiter, head .. cjson.encode(message.keys) .. ',"items":[' .. table.concat(message.items, ',') .. ']}')
  end
end
`;

/**
 * KEYS: generation. ARGV: base, item TTL ms, not-found TTL ms (0: not stored), item count, how
 * long the stale copy of an item is kept and of a "not found" (ms; 0: no copy), the start of the
 * waiters' channels (`<keyPrefix>stored:`), message head, then per item (`itemArguments`) its key
 * count, its keys and its record, then the keys CDF does not have. Ends the claims (see
 * `claimScript`) of every key it answers, and sends each instance that waits on some of them
 * their answers, on its own channel (see `tellWaiters`): the answers travel with the message, so
 * a waiter settles without reading them back.
 */
export const storeScript = new RedisScript(`
local base = ARGV[1] .. ':' .. (redis.call('GET', KEYS[1]) or '0') .. ':'
local keepItem = tonumber(ARGV[5]) > 0
${tellWaiters}
local function answered(key, item, record)
  redis.call('DEL', base .. '${CLAIM}' .. key)
  tell(key, item, record)
end
local i = 9
for _ = 1, tonumber(ARGV[4]) do
  local count = tonumber(ARGV[i])
  local first = ARGV[i + 1]
  local record = ARGV[i + count + 1]
  redis.call('SET', base .. first, record, 'PX', ARGV[2])
  if keepItem then redis.call('SET', base .. '${STALE}' .. first, record, 'PX', ARGV[5]) end
  for k = i + 2, i + count do
    redis.call('SET', base .. ARGV[k], '>' .. first, 'PX', ARGV[2])
    if keepItem then redis.call('SET', base .. '${STALE}' .. ARGV[k], '>${STALE}' .. first, 'PX', ARGV[5]) end
  end
  for k = i + 1, i + count do answered(ARGV[k], nil, record) end
  i = i + count + 2
end
for k = i, #ARGV do
  if tonumber(ARGV[3]) > 0 then redis.call('SET', base .. ARGV[k], '${NOT_FOUND}', 'PX', ARGV[3]) end
  if tonumber(ARGV[3]) > 0 and tonumber(ARGV[6]) > 0 then redis.call('SET', base .. '${STALE}' .. ARGV[k], '${NOT_FOUND}', 'PX', ARGV[6]) end
  answered(ARGV[k], 'null')
end
send(ARGV[7], ARGV[8])
`);

/**
 * KEYS: generation. ARGV: base, owner, the start of the waiters' channels, message head, then the
 * keys. Gives back the owner's claims on these keys (its request failed, or nobody wanted it any
 * more) and tells their waiters, with no answer: they look the keys up, claim them and fetch them.
 */
export const releaseScript = new RedisScript(`
local base = ARGV[1] .. ':' .. (redis.call('GET', KEYS[1]) or '0') .. ':'
${tellWaiters}
for i = 5, #ARGV do
  local claimed = base .. '${CLAIM}' .. ARGV[i]
  if redis.call('GET', claimed) == ARGV[2] then
    redis.call('DEL', claimed)
    tell(ARGV[i], 'false')
  end
end
send(ARGV[3], ARGV[4])
`);

/**
 * Lua: `answer(key)` is the key's entry when it looks like one of ours for that key (a record whose
 * key list names the key and whose item is braced, reached directly or through an alias, or "not
 * found"), else false. It only looks: parsing every record here would cost Redis, which serves
 * every replica, more than the rest of the script (`decodeEntries` parses it in the replica).
 * `claim(key)` takes the key's claim for ARGV[2] for ARGV[3] ms (or, already its own, renews it), returning 1, or returns 0
 * and adds ARGV[2] to the key's waiters (see `storeScript`) when another owner holds it.
 */
const answerAndClaim = `
local base = ARGV[1] .. ':' .. (redis.call('GET', KEYS[1]) or '0') .. ':'
local function answer(key)
  local value = redis.call('GET', base .. key)
  if value and string.sub(value, 1, 1) == '>' then value = redis.call('GET', base .. string.sub(value, 2)) end
  if value == '${NOT_FOUND}' then return value end
  if not value or string.sub(value, 1, 1) ~= '[' or string.sub(value, -1) ~= '}' then return false end
  local newline = string.find(value, '\\n', 1, true)
  if not newline or string.sub(value, newline + 1, newline + 1) ~= '{' then return false end
  if not string.find(string.sub(value, 1, newline), '"' .. key .. '"', 1, true) then return false end
  return value
end
local function claim(key)
  local claimed = base .. '${CLAIM}' .. key
  if redis.call('SET', claimed, ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
  if redis.call('GET', claimed) == ARGV[2] then
    redis.call('PEXPIRE', claimed, ARGV[3])
    return 1
  end
  local waitersKey = base .. '${WAITERS}' .. key
  redis.call('SADD', waitersKey, ARGV[2])
  redis.call('PEXPIRE', waitersKey, ARGV[3])
  return 0
end
`;

/**
 * KEYS: generation. ARGV: base, owner, claim TTL ms, then the keys. A claim is
 * `<base>:<generation>:claim:<key>` holding its owner (a key of an entry starts with a digit, `e`
 * or `n`, never `claim:` or `waiters:`). Returns, per key, 1 when the owner holds its claim now
 * (taken, or already its own and renewed), else 0: another replica holds it, or the answer is already stored
 * (written back since the caller looked), and the caller is to read it. A value that is not an
 * entry of ours for that key (see `decodeEntries`) is no answer: the key is claimed, fetched and
 * overwritten.
 */
export const claimScript = new RedisScript(`${answerAndClaim}
local owned = {}
for i = 4, #ARGV do
  owned[i - 3] = answer(ARGV[i]) and 0 or claim(ARGV[i])
end
return owned
`);

/**
 * KEYS: generation. ARGV: base, owner, claim TTL ms, then the keys. `readScript` and `claimScript`
 * in one round trip: per key, its entry when one of ours is stored, else 1 (claimed) or 0 (claimed
 * by another replica).
 */
export const readAndClaimScript = new RedisScript(`${answerAndClaim}
local found = {}
for i = 4, #ARGV do
  found[i - 3] = answer(ARGV[i]) or claim(ARGV[i])
end
return found
`);

/**
 * KEYS: generation. ARGV: base, channel, message, then the keys. Deletes each key and, where it
 * holds or points at a record, every key of that record, and the same of their stale copies (a
 * cleared item is never served stale); then publishes the message.
 */
export const deleteScript = new RedisScript(`
local base = ARGV[1] .. ':' .. (redis.call('GET', KEYS[1]) or '0') .. ':'
local function drop(prefix, part)
  local key = base .. prefix .. part
  local value = redis.call('GET', key)
  redis.call('DEL', key)
  if value and string.sub(value, 1, 1) == '>' then
    key = base .. string.sub(value, 2)
    value = redis.call('GET', key)
  end
  if value and string.sub(value, 1, 1) == '[' then
    redis.call('DEL', key)
    for _, other in ipairs(cjson.decode(string.sub(value, 1, string.find(value, '\\n', 1, true) - 1))) do
      redis.call('DEL', base .. prefix .. other)
    end
  end
end
for i = 4, #ARGV do
  drop('', ARGV[i])
  drop('${STALE}', ARGV[i])
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
`);

/**
 * KEYS: generation. ARGV: channel, message. Moves the generation to the server's time in
 * microseconds, or one past the old value if that is not less: a value the scope never had, and
 * that a later clear never takes again even if this key were evicted meanwhile. Then publishes.
 */
export const clearScript = new RedisScript(`
local now = redis.call('TIME')
local generation = tonumber(now[1]) * 1000000 + tonumber(now[2])
generation = math.max(generation, tonumber(redis.call('GET', KEYS[1]) or '0') + 1)
redis.call('SET', KEYS[1], string.format('%.0f', generation))
redis.call('PUBLISH', ARGV[1], ARGV[2])
`);
