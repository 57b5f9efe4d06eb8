import { writeFile } from "node:fs/promises";
import { createRedisHistory } from "../store/redis-history.js";
import { parseHistoryArgs } from "./history-args.js";
import { renderChartSvg } from "./history-chart.js";
import { historyJson, historyTable } from "./history-view.js";
import type { CliIo } from "./io.js";
import { connectRedis } from "./redis-connection.js";

/** `preflight history <checklist> [--env prod] [--json] [--chart durations.svg]`, read from Redis. */
export async function printHistory(
  argv: readonly string[],
  io: CliIo,
  env: Record<string, string | undefined>,
  usage: string,
): Promise<number> {
  const parsed = parseHistoryArgs(argv, ["--env", "--json", "--chart"]);
  if (!parsed.ok) {
    io.err(`history: ${parsed.message}\n${usage}`);
    return 2;
  }
  const args = parsed.args;
  const connection = await connectRedis(env, io);
  if (!connection) return 1;
  try {
    const entries = await createRedisHistory(connection.redis, { prefix: connection.prefix }).entries(
      args.checklist,
      args.env,
    );
    const where = args.env ? ` in ${args.env}` : "";
    if (entries.length === 0) {
      const none = `No history yet for ${args.checklist}${where}: it fills as real runs finish or are aborted.`;
      // With --json, stdout stays JSON (an empty history) and the line goes to stderr.
      if (args.json) {
        io.out(JSON.stringify(historyJson(args.checklist, args.env ?? null, []), null, 2));
        io.err(none);
      } else io.out(none);
      return 0;
    }
    const json = historyJson(args.checklist, args.env ?? null, entries);
    io.out(args.json ? JSON.stringify(json, null, 2) : historyTable(json));
    if (args.chart) {
      await writeFile(args.chart, await renderChartSvg(args.checklist, args.env ?? null, entries));
      io.err(`wrote ${args.chart}`);
    }
    return 0;
  } finally {
    await connection.redis.quit();
  }
}
