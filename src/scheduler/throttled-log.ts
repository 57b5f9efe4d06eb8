import type { Logger } from "../core/ports.js";

/** An error listener that logs each distinct message at most once per `everyMs`. */
export function throttledErrorLog(log: Logger, message: string, everyMs = 60_000): (error: Error) => void {
  const last = new Map<string, number>();
  return (error) => {
    const now = Date.now();
    if ((last.get(error.message) ?? 0) + everyMs > now) return;
    last.set(error.message, now);
    log.error(message, { error: error.message });
  };
}
