import { runCli } from "./main.js";

const code = await runCli(process.argv.slice(2), {
  out: (t) => console.log(t),
  err: (t) => console.error(t),
});
process.exitCode = code;
