/** `<checklist> [--env prod] [--json] [--chart file.svg]`: the arguments of `history` and `suggest`. */

export interface HistoryArgs {
  checklist: string;
  env?: string;
  json: boolean;
  chart?: string;
}

const VALUED = new Set(["--env", "--chart"]);
const FLAGS = new Set(["--json"]);

export function parseHistoryArgs(
  args: readonly string[],
  accepted: readonly string[],
): { ok: true; args: HistoryArgs } | { ok: false; message: string } {
  let checklist: string | undefined;
  const values: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [name, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (name !== undefined && VALUED.has(name) && accepted.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === "" || value.startsWith("--"))
        return { ok: false, message: `${name} needs a value` };
      values[name] = value;
    } else if (name !== undefined && FLAGS.has(name) && accepted.includes(name) && inline === undefined) {
      json = true;
    } else if (arg.startsWith("-")) {
      return { ok: false, message: `unknown option "${arg}"; accepted: ${accepted.join(", ")}` };
    } else if (checklist === undefined) {
      checklist = arg;
    } else {
      return { ok: false, message: `one checklist at a time ("${checklist}", then "${arg}")` };
    }
  }
  if (checklist === undefined) return { ok: false, message: "name a checklist, e.g. db-upgrade" };
  return {
    ok: true,
    args: {
      checklist,
      json,
      ...(values["--env"] !== undefined ? { env: values["--env"] } : {}),
      ...(values["--chart"] !== undefined ? { chart: values["--chart"] } : {}),
    },
  };
}
