/** The names of a run's keys and the store's shared ones, under the store's prefix. */
export function runKeysOf(prefix: string) {
  return {
    run: (id: string) => `${prefix}run:${id}`,
    log: (id: string) => `${prefix}run:${id}:log`,
    seen: (id: string) => `${prefix}run:${id}:seen`,
    outbox: (id: string) => `${prefix}run:${id}:outbox`,
    effects: (id: string) => `${prefix}run:${id}:effects`,
    history: (id: string) => `${prefix}run:${id}:history`,
    moves: (id: string) => `${prefix}run:${id}:moves`,
    notes: (id: string) => `${prefix}run:${id}:notes`,
    /** Written by redis-message-refs.ts; expires with the run. */
    message: (id: string) => `${prefix}run:${id}:message`,
    plan: (hash: string) => `${prefix}plan:${hash}`,
    active: (channel: string) => `${prefix}active:${channel}`,
    closed: (checklistId: string) => `${prefix}closed:${checklistId}`,
    withOutbox: `${prefix}outbox:runs`,
    redraws: `${prefix}redraws`,
  };
}

export type RunKeys = ReturnType<typeof runKeysOf>;
