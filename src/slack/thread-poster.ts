import type { WebClient } from "@slack/web-api";
import type { Logger, MessageRefs } from "../core/ports.js";
import { describeSlackError, retryAfterMs, sleep } from "./slack-errors.js";

/**
 * Posts lines into a run's thread. chat.postMessage allows ~1 message per second per channel,
 * so lines that arrive within `batchMs` of each other go out as one message, in order.
 */

const MAX_MESSAGE_CHARS = 3_000;
const MAX_ATTEMPTS = 5;

export interface ThreadPoster {
  post(runId: string, line: string): void;
  idle(): Promise<void>;
}

export function createThreadPoster(deps: {
  client: WebClient;
  refs: MessageRefs;
  log: Logger;
  batchMs?: number;
}): ThreadPoster {
  const batchMs = deps.batchMs ?? 1_000;
  const queues = new Map<string, string[]>();
  const chains = new Map<string, Promise<void>>();

  function post(runId: string, line: string): void {
    const queue = queues.get(runId);
    if (queue) {
      queue.push(line);
      return;
    }
    queues.set(runId, [line]);
    const previous = chains.get(runId) ?? Promise.resolve();
    const next = previous.then(() => sleep(batchMs)).then(() => flush(runId));
    chains.set(runId, next);
    void next.finally(() => {
      if (chains.get(runId) === next) chains.delete(runId);
    });
  }

  async function flush(runId: string): Promise<void> {
    const lines = queues.get(runId) ?? [];
    queues.delete(runId);
    const ref = await deps.refs.get(runId);
    if (!ref) {
      deps.log.warn("no run message to reply to; thread lines dropped", { runId, lines: lines.length });
      return;
    }
    for (const text of chunk(lines)) await postWithRetry(runId, ref.channel, ref.ts, text);
  }

  async function postWithRetry(
    runId: string,
    channel: string,
    threadTs: string,
    text: string,
  ): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        await deps.client.chat.postMessage({ channel, thread_ts: threadTs, text, unfurl_links: false });
        return;
      } catch (error) {
        const wait = retryAfterMs(error);
        if (wait === undefined || attempt === MAX_ATTEMPTS) {
          deps.log.error("posting to the run's thread failed", {
            runId,
            error: describeSlackError(error),
            text,
          });
          return;
        }
        await sleep(wait);
      }
    }
  }

  async function idle(): Promise<void> {
    while (chains.size > 0) await Promise.all([...chains.values()]);
  }

  return { post, idle };
}

/** Joins lines into messages of at most MAX_MESSAGE_CHARS, never splitting a line. */
function chunk(lines: string[]): string[] {
  const messages: string[] = [];
  let current = "";
  for (const line of lines) {
    const piece = line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS - 1)}…` : line;
    if (current && current.length + 1 + piece.length > MAX_MESSAGE_CHARS) {
      messages.push(current);
      current = piece;
    } else {
      current = current ? `${current}\n${piece}` : piece;
    }
  }
  if (current) messages.push(current);
  return messages;
}
