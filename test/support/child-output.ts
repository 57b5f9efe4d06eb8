import type { ChildProcess } from "node:child_process";

/**
 * What a bot started as a child process says (stdout and stderr, in order), and `ready`: settles
 * on its "Preflight is running" line, however long a busy machine takes (the test's timeout bounds
 * it), or fails at once with everything it said when it exits first.
 */
export function watchChild(child: ChildProcess): {
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ready: Promise<void>;
} {
  let output = "";
  let running: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    running = resolve;
    child.on("exit", (code, signal) =>
      reject(new Error(`the bot exited (${signal ?? code}) before it was running:\n${output}`)),
    );
  });
  ready.catch(() => undefined); // a test that never waits for readiness must not see it rejected
  const heard = (chunk: Buffer) => {
    output += chunk;
    if (output.includes("Preflight is running")) running();
  };
  child.stdout?.on("data", heard);
  child.stderr?.on("data", heard);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { output: () => output, exited, ready };
}
