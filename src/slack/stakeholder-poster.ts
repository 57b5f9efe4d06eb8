import type { WebClient } from "@slack/web-api";
import type { StakeholderPoster } from "../core/communication-ports.js";
import type { MessageRefs } from "../core/ports.js";
import { REHEARSAL_MARK } from "../core/run/rehearsal.js";
import { postOnce } from "./post-once.js";
import { escapeMrkdwn, truncate } from "./render/mrkdwn.js";

/**
 * Stakeholder updates in Slack: plain text, all of it escaped (titles carry parameters), posted
 * once per effect id. A rehearsal's goes into its own thread, saying where it would have gone.
 */
export function createStakeholderPoster(deps: {
  client: WebClient;
  refs: MessageRefs;
  now: () => Date;
}): StakeholderPoster {
  return {
    async post(run, effectId, effect, ledger) {
      const text = escapeMrkdwn(effect.text);
      if (effect.rehearsal || effect.channel === undefined) {
        const ref = await deps.refs.get(run.id);
        // The run message is posted before any other effect of a run: without it there is no thread.
        if (!ref) throw new Error(`run ${run.id} has no message yet for its rehearsal's stakeholder line`);
        const where = effect.channel ? ` (would post to ${escapeMrkdwn(effect.channel)})` : "";
        await postOnce(
          deps.client,
          ledger,
          {
            channel: ref.channel,
            threadTs: ref.ts,
            text: truncate(`${REHEARSAL_MARK}${where} · ${text}`, 3_000),
            effectIds: [effectId],
          },
          deps.now,
        );
        return;
      }
      await postOnce(
        deps.client,
        ledger,
        { channel: effect.channel, text: truncate(text, 3_000), effectIds: [effectId] },
        deps.now,
      );
    },
  };
}
