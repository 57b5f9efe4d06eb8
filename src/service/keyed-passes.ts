/**
 * One pass of work per key at a time in this process: asking while a pass runs asks for one more
 * pass after it (requests coalesce, none is lost). Used for a run's effects and its redraws. While
 * the process is busy answering people, a pass waits a little first (at most `maxWaitMs`).
 */
export interface Pass {
  /** Set to run once more after this pass (a request came in, or the work wants another go). */
  again: boolean;
}

export interface YieldOptions {
  /**
   * Whether people are being answered on a full event loop right now: a pass then waits (its
   * requests coalescing into it) until they are not, or for at most `maxWaitMs`.
   */
  busy?: () => boolean;
  /** The longest a pass waits for the process to be less busy (ms). */
  maxWaitMs?: number;
}

/** How often waiting passes look again, and how many may go per look when the process is not busy. */
const YIELD_STEP_MS = 50;
const RELEASED_PER_STEP = 16;

export function createKeyedPasses(
  work: (key: string, pass: Pass) => Promise<void>,
  yielding: YieldOptions = {},
) {
  const passes = new Map<string, Pass & { done: Promise<void> }>();
  let stopped = false;
  const maxWaitMs = yielding.maxWaitMs ?? 1_000;
  /** Passes giving way, oldest first; one timer looks for all of them. */
  const waiting: { until: number; go: () => void }[] = [];
  let looking: NodeJS.Timeout | undefined;

  /** Background work gives way to acknowledgements; what it waited for, it does in one go. */
  function giveWay(): Promise<void> | undefined {
    const busy = yielding.busy;
    if (!busy || stopped || (waiting.length === 0 && !busy())) return undefined;
    return new Promise((go) => {
      waiting.push({ until: Date.now() + maxWaitMs, go });
      looking ??= setInterval(look, YIELD_STEP_MS);
    });
  }

  /** Lets the oldest waiting passes go a few at a time when the process is free, and any that waited long enough. */
  function look(): void {
    const free = stopped || !(yielding.busy?.() ?? false);
    const now = Date.now();
    let released = 0;
    for (let i = 0; i < waiting.length; ) {
      const waiter = waiting[i] as (typeof waiting)[number];
      if (stopped || waiter.until <= now || (free && released < RELEASED_PER_STEP)) {
        waiting.splice(i, 1);
        released += 1;
        waiter.go();
      } else i += 1;
    }
    if (waiting.length === 0 && looking) {
      clearInterval(looking);
      looking = undefined;
    }
  }

  function request(key: string): Promise<void> {
    if (stopped) return Promise.resolve();
    const running = passes.get(key);
    if (running) {
      running.again = true;
      return running.done;
    }
    const pass = { again: true, done: Promise.resolve() };
    passes.set(key, pass);
    pass.done = (async () => {
      try {
        while (pass.again && !stopped) {
          // Not awaited when there is nothing to wait for: the pass starts at once, as it did.
          const wait = giveWay();
          if (wait) await wait;
          if (stopped) break;
          pass.again = false;
          await work(key, pass);
        }
      } finally {
        passes.delete(key);
      }
    })();
    return pass.done;
  }

  /**
   * For a sweep: a pass unless one is running already, which then is waited for without asking
   * for another (it reads what the sweep would have found).
   */
  function ensure(key: string): Promise<void> {
    return passes.get(key)?.done ?? request(key);
  }

  async function idle(): Promise<void> {
    while (passes.size > 0) await Promise.all([...passes.values()].map((pass) => pass.done));
  }

  return {
    request,
    ensure,
    idle,
    stop: () => {
      stopped = true;
      look();
    },
  };
}
