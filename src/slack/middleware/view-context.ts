import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import { z } from "zod";
import type { Logger } from "../../core/ports.js";
import { type Run, reminderOf } from "../../core/run/run-schema.js";
import { VIEW_IDS } from "../ids.js";
import { parseJsonWith } from "../json-input.js";
import { ADD_TO_TIMELINE } from "../shortcuts/add-to-timeline.js";
import { ackIfNotYet } from "./listener-guard.js";

/**
 * Form submissions and shortcuts, read before any listener: a form Preflight never opened, or one
 * naming a run or reminder that doesn't exist (or a run of another channel), is answered and goes
 * no further. Closed forms and shortcuts (Preflight offers none) are acknowledged, so Slack never
 * shows the person an error.
 */

export const STALE_FORM =
  "This form is out of date and nothing was saved; close it and use the run's current message.";

/**
 * What each form's private_metadata names: a run (`r`) and the channel of its message (`c`), a
 * reminder of a run, or the channel a run is being started in. Every form has a rule (a new one
 * without a rule does not compile).
 */
const FORM_KINDS: Record<keyof typeof VIEW_IDS, "run" | "reminder" | "start"> = {
  skipStep: "run",
  reportProblem: "run",
  addNote: "run",
  resolveProblem: "run",
  abortRun: "run",
  followUps: "run",
  recordValues: "run",
  decideContinue: "run",
  decidePause: "run",
  decideRollBack: "run",
  decideAbort: "run",
  pauseRun: "run",
  resumeRun: "run",
  rollBackRun: "run",
  doneByHand: "run",
  handOver: "run",
  changeBuddy: "run",
  reassignStep: "run",
  deleteSnapshot: "reminder",
  startParameters: "start",
};
const KIND_OF_FORM = new Map<string, "run" | "reminder" | "start">(
  Object.entries(FORM_KINDS).map(([name, kind]) => [VIEW_IDS[name as keyof typeof VIEW_IDS], kind] as const),
);

const submissionSchema = z.object({
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string().default(""),
    state: z.object({ values: z.record(z.string(), z.unknown()) }).optional(),
  }),
});
const runMetadata = z.looseObject({ r: z.string().max(64), c: z.string().max(64) });
const reminderMetadata = z.looseObject({ k: z.string().max(300), r: z.string().max(64) });
const startMetadata = z.looseObject({ c: z.string().regex(/^[CGD][A-Z0-9]{2,20}$/) });

export interface ViewContextDeps {
  service: { get(runId: string): Promise<Pick<Run, "channel" | "reminders"> | undefined> };
  log: Logger;
}

export function viewContext(deps: ViewContextDeps): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const type = (args.body as { type?: unknown }).type;
    const ack = args as { ack?: (response?: unknown) => Promise<void> };
    // The one shortcut Preflight offers goes on to its listener (shortcuts/add-to-timeline.ts).
    const ours = (args.body as { callback_id?: unknown }).callback_id === ADD_TO_TIMELINE;
    if (type === "message_action" && ours) return args.next();
    if (type === "view_closed" || type === "shortcut" || type === "message_action") {
      await ackIfNotYet(ack);
      return;
    }
    if (type !== "view_submission") return args.next();
    const submission = submissionSchema.safeParse(args.body);
    const view = submission.success ? submission.data.view : undefined;
    if (!view || !KIND_OF_FORM.has(view.callback_id)) {
      deps.log.info("a form Preflight does not know was submitted; closed");
      await ackIfNotYet(ack);
      return;
    }
    if (await formIsCurrent(deps, view.callback_id, view.private_metadata)) return args.next();
    deps.log.info("a form naming something that does not exist was submitted", { form: view.callback_id });
    const block = Object.keys(view.state?.values ?? {})[0];
    if (ack.ack)
      await ack.ack(block ? { response_action: "errors", errors: { [block]: STALE_FORM } } : undefined);
  };
}

async function formIsCurrent(deps: ViewContextDeps, callbackId: string, metadata: string): Promise<boolean> {
  switch (KIND_OF_FORM.get(callbackId)) {
    case "run": {
      const meta = parseJsonWith(runMetadata, metadata);
      const run = meta ? await deps.service.get(meta.r) : undefined;
      return run !== undefined && run.channel === meta?.c;
    }
    case "reminder": {
      const meta = parseJsonWith(reminderMetadata, metadata);
      const run = meta ? await deps.service.get(meta.r) : undefined;
      return meta !== undefined && run !== undefined && reminderOf(run, meta.k) !== undefined;
    }
    case "start":
      return parseJsonWith(startMetadata, metadata) !== undefined;
    default:
      return false;
  }
}
