import { createRequire } from "node:module";
import { type DestinationStream, type LevelWithSilent, pino } from "pino";
import type { Logger } from "./core/ports.js";

/**
 * The process's one log: pino, one JSON object per line on stderr (`at`, `level`, `message`, then
 * the context: run id, channel, user, action, duration where known). Bolt, the Web API client,
 * Socket Mode, BullMQ and the AWS SDK write through it too (library-logger.ts), so a collector
 * reads every line the same way. With a terminal attached and pino-pretty installed (a dev
 * dependency) the lines are made readable instead; a production install writes JSON.
 */

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface ProcessLogger extends Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  level: LogLevelName;
  /** Writes out anything buffered (before the process exits). */
  flush(): void;
}

export interface LoggerOptions {
  /** LOG_LEVEL: the least severe level written (default info). */
  level?: LogLevelName;
  /** Where lines go (default stderr); a function receives each line without its newline. */
  write?: (line: string) => void;
  /** Readable lines for a person; default: when stderr is a terminal and pino-pretty is installed. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions | ((line: string) => void) = {}): ProcessLogger {
  const settings = typeof options === "function" ? { write: options } : options;
  const level = settings.level ?? "info";
  const stream = destination(settings);
  const logger = pino(
    {
      level,
      messageKey: "message",
      base: { pid: process.pid },
      timestamp: () => `,"at":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  const entry =
    (method: "debug" | "info" | "warn" | "error") =>
    (message: string, context: Record<string, unknown> = {}) =>
      logger[method](context, message);
  return {
    debug: entry("debug"),
    info: entry("info"),
    warn: entry("warn"),
    error: entry("error"),
    level,
    flush: () => logger.flush(),
  };
}

function destination(settings: Exclude<LoggerOptions, undefined>): DestinationStream {
  if (settings.write) {
    const write = settings.write;
    return { write: (chunk: string) => write(chunk.replace(/\n$/, "")) };
  }
  if (settings.pretty ?? process.stderr.isTTY === true) {
    const pretty = prettyStream();
    if (pretty) return pretty;
  }
  // Synchronous: a line written just before process.exit() is not lost.
  return pino.destination({ dest: 2, sync: true });
}

/** pino-pretty when it is installed (a checkout); a production install has none and writes JSON. */
function prettyStream(): DestinationStream | undefined {
  try {
    const build = createRequire(import.meta.url)("pino-pretty") as (options: object) => DestinationStream;
    return build({ destination: 2, sync: true, messageKey: "message", timestampKey: "at", ignore: "pid" });
  } catch {
    return undefined;
  }
}

/** LOG_LEVEL as pino knows it. */
export function isLogLevel(value: string): value is LevelWithSilent {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
