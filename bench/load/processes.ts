import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** A child process of the benchmark: its output is kept (the last 20,000 characters) for errors. */
export interface Child {
  name: string;
  process: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<void>;
}

export function startChild(name: string, args: string[], env: Record<string, string>, port: number): Child {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? "", ...env } });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { name, process: child, url: `http://127.0.0.1:${port}/slack/events`, output: () => output, exited };
}

export async function waitForOutput(child: Child, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes(text)) {
    if (child.process.exitCode !== null || Date.now() > deadline)
      throw new Error(`${child.name} did not start (no "${text}"); its output:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM, then SIGKILL after `graceMs` if it has not exited. */
export async function stopChild(child: Child, graceMs = 5_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Resident memory in MiB, from /proc/<pid>/status (VmRSS); undefined where /proc is missing. */
export function rssMiB(pid: number | undefined): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : Math.round(Number(kib) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) the process used so far, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number | undefined): number | undefined {
  const times = cpuTimesMs(pid);
  return times && times.user + times.system;
}

/** CPU a process used so far (ms), in its own code (user) and in the kernel on its behalf (system). */
export function cpuTimesMs(pid: number | undefined): { user: number; system: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ms = (field: string | undefined) => (Number(field) * 1000) / CLOCK_TICKS_PER_SECOND;
    return { user: ms(fields[11]), system: ms(fields[12]) };
  } catch {
    return undefined;
  }
}
