/**
 * Runs tasks that share a key one after another, in the order they were given; tasks under other
 * keys run freely. The run store puts a process's commits to one run in line this way, so the
 * second decides on the view the first committed instead of losing the version check, re-reading
 * the run and deciding again. Keys are forgotten once their line is empty.
 */
export function createKeyedQueue(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<void>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key);
    const result = previous ? previous.then(task) : task();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
