import { parseArgs } from "node:util";
import { RedisUnavailableError } from "../bot.js";
import { createLogger } from "../logger.js";
import { NoRedisError } from "./redis-server.js";
import { startSandbox } from "./sandbox.js";

/** `npm run sandbox [-- --port 4000] [-- --checklists ./my-checklists]` */

const USAGE = "Usage: npm run sandbox -- [--port <number>] [--checklists <folder>]";

function readOptions() {
  try {
    const { values } = parseArgs({
      options: { port: { type: "string" }, checklists: { type: "string" }, help: { type: "boolean" } },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new Error(`--port must be a port number (0–65535), not "${values.port}"`);
    return { port, checklistsDir: values.checklists ?? "checklists" };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(1);
  }
}

const options = readOptions();
const json = createLogger();
// The bot's own warnings and errors, as JSON lines on stderr; its info lines would drown the URL.
const log = { info: () => {}, warn: json.warn, error: json.error };
try {
  const sandbox = await startSandbox({
    ...options,
    log,
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
  });
  const problems = sandbox.problems.length;
  console.log(`Preflight sandbox: ${sandbox.url}`);
  console.log(
    `  people: alice, bob, carol · checklists from ${options.checklistsDir}${problems ? ` (${problems} problem(s), shown in the page)` : ""} · Redis ${sandbox.redisUrl}`,
  );
  console.log("  Ctrl-C stops everything.");
  // A terminal's Ctrl-C reaches npm, tsx and this process, and tsx relays it again: keep listening
  // (a second signal with no listener would kill the process before it has stopped the rest).
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox…`);
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`The sandbox did not stop cleanly: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
} catch (error) {
  if (error instanceof NoRedisError || error instanceof RedisUnavailableError) console.error(error.message);
  else
    console.error(`The sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
