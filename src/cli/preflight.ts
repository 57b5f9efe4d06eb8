import { runCli } from "./main.js";

/** The `preflight` command. Nothing below prints a stack: every failure is one line and exit 1. */
const fail = (error: unknown) => {
  console.error(`preflight: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  process.exit(1);
};
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

const code = await runCli(
  process.argv.slice(2),
  { out: (t) => console.log(t), err: (t) => console.error(t) },
  process.env.CHECKLISTS_DIR || "checklists",
);
process.exitCode = code;
