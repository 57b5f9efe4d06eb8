import { loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { checkSlackCredentials } from "./startup-checks.js";
import { RedisNotDurableError } from "./store/redis-durability.js";

const config = loadConfig(process.env);
if (!config.ok) {
  console.error(config.message);
  process.exit(1);
}
const log = createLogger({ level: config.config.LOG_LEVEL });
// A promise nobody awaited failed: say so and keep serving (each request is already answered).
process.on("unhandledRejection", (reason) => {
  log.error("an unexpected error was not handled; Preflight keeps running", {
    error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
  });
});
// Node's own warnings (deprecations, the AWS SDK's "needs a newer Node") as log lines too; the image
// sets NODE_NO_WARNINGS=1 so Node does not also print them as plain text.
process.on("warning", (warning) => {
  log.warn(warning.message.split("\n")[0] ?? warning.name, { library: "node", name: warning.name });
});
// A synchronous throw nobody caught leaves the process in an unknown state: say what it was, then exit
// so the supervisor starts a clean one (runs, reminders and effects are in Redis).
process.on("uncaughtException", (error) => {
  log.error("an unexpected exception; Preflight exits to be restarted", {
    error: error.stack ?? error.message,
  });
  log.flush();
  process.exit(1);
});
// A wrong token is found here, before anything says "running".
const refused = await checkSlackCredentials(config.config);
if (refused) {
  console.error(refused);
  process.exit(1);
}
// The bot's own modules (Bolt, BullMQ and the rest: seconds of loading) only once the configuration
// and the tokens are known good, so a wrong one is said at once.
const bot = import("./bot.js");
// Signals are taken from the start on: a SIGTERM while starting (or just as "running" is written)
// ends the process the same way, within the deadline, instead of killing it outright.
const starting = bot.then(({ startBot }) => startBot(config.config, { log }));
const deadlineMs = config.config.SHUTDOWN_DEADLINE_MS;
const shutdown = (signal: string) => {
  log.info("shutting down", { signal });
  // Closing waits on Redis and Slack; when either hangs, the process must still end.
  setTimeout(() => {
    log.error(
      `shutdown did not finish within ${deadlineMs / 1000} s (Redis or Slack not answering); exiting anyway`,
    );
    process.exit(1);
  }, deadlineMs).unref();
  // A bot still starting is stopped once it has started (or its failure to start is reported).
  starting
    .then((bot) => bot.stop())
    .then(
      () => {
        log.info("stopped");
        log.flush();
        process.exit(0);
      },
      (error: unknown) => {
        log.error("shutdown failed", { error: String(error) });
        log.flush();
        process.exit(1);
      },
    );
};
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
try {
  await starting;
} catch (error) {
  const unavailable = await bot.then(
    ({ RedisUnavailableError }) => error instanceof RedisUnavailableError,
    () => false,
  );
  console.error(
    unavailable || error instanceof RedisNotDurableError
      ? (error as Error).message
      : `Preflight failed to start: ${String(error)}`,
  );
  process.exit(1);
}
