import type { App } from "@slack/bolt";
import { z } from "zod";
import { describeParameter, resolveParameters } from "../../core/run/create-run.js";
import { lacksRequiredBuddy } from "../../core/run/people.js";
import { summaryRequestRefusal } from "../../core/run/permissions.js";
import type { RunEvent } from "../../core/run/run-schema.js";
import { actAndAck } from "../apply-with-ack.js";
import type { SlackDeps } from "../deps.js";
import { mention } from "../render/mrkdwn.js";
import { privateText, replyPrivately } from "../reply.js";
import { startRunAndReport } from "../start-run.js";
import { startParametersModal } from "../views/start-parameters.js";
import { type MaintenanceCommand, parseCommand, USAGE } from "./parse-command.js";
import { listChecklists, statusOfRuns } from "./replies.js";
import { cancelWindow, listPending, scheduleWindow } from "./timer-commands.js";

/** Who typed the command and where: without both, nothing can be owned or posted, so nothing is done. */
const commandSchema = z.object({
  user_id: z.string().regex(/^[UW][A-Z0-9]{2,20}$/),
  channel_id: z.string().regex(/^[CGD][A-Z0-9]{2,20}$/),
  trigger_id: z.string().min(1).max(200),
  text: z.string().max(4_000).default(""),
});

export const UNREADABLE_COMMAND =
  "Preflight could not tell who sent this command or from which channel, so it did nothing. Type it again in a channel.";

/** `/maintenance start|list|status|abort|help`. Always answers: never silence, never a stack trace. */
export function register(app: App, deps: SlackDeps): void {
  app.command("/maintenance", async ({ command: body, ack: ackWith, client, respond }) => {
    const ack = (answer?: { response_type: "ephemeral"; text: string }) =>
      ackWith(answer ? { ...answer, text: privateText(answer.text) } : undefined);
    const envelope = commandSchema.safeParse(body);
    if (!envelope.success) return ack({ response_type: "ephemeral", text: UNREADABLE_COMMAND });
    const command = envelope.data;
    const parsed = parseCommand(command.text);
    if (!parsed.ok) return ack({ response_type: "ephemeral", text: parsed.message });
    const where = { channel: command.channel_id, user: command.user_id };
    const cmd: MaintenanceCommand = parsed.command;
    switch (cmd.kind) {
      case "help":
        return ack({ response_type: "ephemeral", text: USAGE });
      case "list":
        return ack({ response_type: "ephemeral", text: listChecklists(deps.catalog.list()) });
      case "status": {
        await ack();
        const runs = await deps.service.activeRuns(command.channel_id);
        await replyPrivately(
          client,
          deps.log,
          where,
          await statusOfRuns(client, deps.refs, runs, deps.log),
          respond,
        );
        return;
      }
      case "abort":
        await actAndAck(
          { ...deps, client, ack: () => ack(), channel: command.channel_id },
          cmd.runId,
          { type: "abort", reason: cmd.reason, by: command.user_id },
          `command.${command.trigger_id}`,
        );
        return;
      case "pause":
      case "resume":
        await actAndAck(
          { ...deps, client, ack: () => ack(), channel: command.channel_id },
          cmd.runId,
          {
            type: cmd.kind === "pause" ? "pause_run" : "resume_run",
            reason: cmd.reason,
            by: command.user_id,
          },
          `command.${command.trigger_id}`,
        );
        return;
      case "handover":
      case "buddy":
      case "assign": {
        const by = command.user_id;
        const event: RunEvent =
          cmd.kind === "assign"
            ? { type: "reassign_step", stepId: cmd.stepId, to: cmd.to, by }
            : { type: cmd.kind === "handover" ? "hand_over" : "set_buddy", to: cmd.to, by };
        await actAndAck(
          { ...deps, client, ack: () => ack(), channel: command.channel_id },
          cmd.runId,
          event,
          `command.${command.trigger_id}`,
        );
        return;
      }
      case "schedule":
        await ack();
        return scheduleWindow(deps, client, where, cmd);
      case "cancel":
        await ack();
        return cancelWindow(deps, client, where, cmd.windowId);
      case "reminders":
        await ack();
        return listPending(deps, client, where);
      case "summary": {
        await ack();
        const run = await deps.service.get(cmd.runId);
        const refused = run ? summaryRequestRefusal(run, command.channel_id) : undefined;
        if (refused) return replyPrivately(client, deps.log, where, refused.message);
        const posted = await deps.summaries.post(cmd.runId, {
          comment: `Summary posted again by ${mention(command.user_id)}`,
        });
        if (!posted)
          await replyPrivately(
            client,
            deps.log,
            where,
            `There is no run "${cmd.runId}" with a message to post its summary under.`,
          );
        return;
      }
      case "start": {
        const entry = deps.catalog.get(cmd.checklistId);
        if (!entry)
          return ack({ response_type: "ephemeral", text: deps.service.unknownChecklist(cmd.checklistId) });
        const resolved = resolveParameters(entry.checklist, cmd.params);
        const invalid = resolved.ok
          ? []
          : resolved.errors.filter((error) => !resolved.missing.includes(error.name));
        if (invalid.length > 0) {
          const accepted = Object.entries(entry.checklist.parameters).map(
            ([name, p]) => `• \`${name}\`: ${describeParameter(p)}`,
          );
          const text = `${invalid.map((error) => error.message).join("\n")}\n\n*${entry.checklist.id}* takes:\n${accepted.join("\n")}`;
          return ack({ response_type: "ephemeral", text });
        }
        await ack();
        const request = {
          checklistId: cmd.checklistId,
          params: cmd.params,
          channel: command.channel_id,
          owner: command.user_id,
          dryRun: cmd.dryRun,
          ...(cmd.buddy ? { buddy: cmd.buddy } : {}),
          ...(cmd.override !== undefined ? { override: cmd.override } : {}),
        };
        // A protected environment needs a buddy: the form asks for one (and for anything missing).
        const askBuddy = lacksRequiredBuddy(
          entry.checklist,
          resolved.ok ? resolved.values : cmd.params,
          cmd.buddy,
        );
        // With everything given but the buddy, the engine checks the rest first (the environment
        // gate): the form asks for a buddy only when that is all that is missing.
        const openForm = async () => {
          const meta = {
            k: cmd.checklistId,
            c: command.channel_id,
            g: cmd.params,
            d: cmd.dryRun,
            h: entry.hash,
            ...(cmd.buddy ? { b: cmd.buddy } : {}),
            ...(cmd.override !== undefined ? { o: cmd.override } : {}),
          };
          const missing = resolved.ok ? [] : resolved.missing;
          const view = startParametersModal(entry.checklist, missing, meta, { askBuddy });
          if (view) {
            await client.views.open({ trigger_id: command.trigger_id, view });
          } else {
            await replyPrivately(
              client,
              deps.log,
              where,
              missing.length > 0
                ? `Give the missing parameters on the command line: ${missing.join(", ")}.`
                : "This environment is protected: name a buddy on the command line (buddy=@teammate).",
              respond,
            );
          }
        };
        if (!resolved.ok) return openForm();
        await startRunAndReport(deps, client, request, respond, askBuddy ? openForm : undefined);
        return;
      }
    }
  });
}
