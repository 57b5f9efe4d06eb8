/**
 * One pass of work per key at a time in this process: asking while a pass runs asks for one more
 * pass after it (requests coalesce, none is lost). Used for a run's effects and its redraws.
 */
export interface Pass {
  /** Set to run once more after this pass (a request came in, or the work wants another go). */
  again: boolean;
}

export function createKeyedPasses(work: (key: string, pass: Pass) => Promise<void>) {
  const passes = new Map<string, Pass & { done: Promise<void> }>();
  let stopped = false;

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
          pass.again = false;
          await work(key, pass);
        }
      } finally {
        passes.delete(key);
      }
    })();
    return pass.done;
  }

  async function idle(): Promise<void> {
    while (passes.size > 0) await Promise.all([...passes.values()].map((pass) => pass.done));
  }

  return {
    request,
    idle,
    stop: () => {
      stopped = true;
    },
  };
}
