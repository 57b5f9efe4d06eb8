import { RedisUnavailableError, startBot } from "./bot.js";
import { loadConfig } from "./config.js";
import { createLogger } from "./logger.js";

const config = loadConfig(process.env);
if (!config.ok) {
  console.error(config.message);
  process.exit(1);
}
const log = createLogger();
try {
  const bot = await startBot(config.config, { log });
  const shutdown = (signal: string) => {
    log.info("shutting down", { signal });
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
} catch (error) {
  console.error(
    error instanceof RedisUnavailableError ? error.message : `Preflight failed to start: ${String(error)}`,
  );
  process.exit(1);
}
