import type { Logger } from "./core/ports.js";

/** One JSON line per entry on stderr: readable by people and by log collectors. */
export function createLogger(
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const entry =
    (level: string) =>
    (message: string, context: Record<string, unknown> = {}) =>
      write(JSON.stringify({ at: new Date().toISOString(), level, message, ...context }));
  return { info: entry("info"), warn: entry("warn"), error: entry("error") };
}
