import { LogLevel, type Logger as SlackLogger } from "@slack/web-api";
import type { Logger } from "../core/ports.js";

/**
 * Bolt, the Web API client, Socket Mode and the AWS SDK each log through an object with
 * debug/info/warn/error taking any values. This one writes them as the process's own JSON lines,
 * tagged with the library's name: one line per call, an Error as its message (no stack spread
 * over lines). Their info lines are chatty (every reconnect, every request): they are written at
 * debug, so LOG_LEVEL=debug shows them and the default keeps warnings and errors.
 */
export function libraryLogger(log: Logger, library: string): SlackLogger {
  let name = library;
  let level = LogLevel.INFO;
  // A process logger says its level: below debug, a library's debug and info lines (one per Web
  // API call) are dropped before they are put into words.
  const written = (log as { level?: string }).level;
  const debugWritten = written === undefined || written === "debug" || written === "trace";
  const write =
    (method: "debug" | "warn" | "error") =>
    (...values: unknown[]) => {
      if (method === "debug" && !debugWritten) return;
      const { message, detail } = describe(values);
      const context = { library: name, ...(detail.length > 0 ? { detail } : {}) };
      if (method === "debug") log.debug?.(message, context);
      else log[method](message, context);
    };
  return {
    debug: write("debug"),
    info: write("debug"),
    warn: write("warn"),
    error: write("error"),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next) => {
      name = next;
    },
  };
}

/** The values of one library call as a message (its first line) and the rest as detail. */
export function describe(values: readonly unknown[]): { message: string; detail: string[] } {
  const parts = values.map(textOf).filter((part) => part !== "");
  const [first = "", ...rest] = parts.join(" ").split("\n");
  return { message: first.trim(), detail: rest.map((line) => line.trim()).filter(Boolean) };
}

function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.name}: ${value.message}${typeof code === "string" ? ` (${code})` : ""}`;
  }
  if (value === undefined) return "";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
