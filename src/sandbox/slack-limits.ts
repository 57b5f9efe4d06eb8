/**
 * What Slack refuses in a message or a view (blocks, lengths, counts), with Slack's own error
 * codes and `json-pointer` details: the local Slack refuses the same, so a renderer that breaks a
 * limit fails its test here instead of in a real workspace.
 */

type Args = Record<string, unknown>;

/** What a Web API method answers. */
export type Answer = { ok: boolean; error?: string } & Record<string, unknown>;

const MESSAGE_BLOCKS_MAX = 50;
const VIEW_BLOCKS_MAX = 100;
const MESSAGE_BLOCKS_JSON_MAX = 13_000;

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
export const str = (v: unknown): string => (typeof v === "string" ? v : "");
export const textOf = (t: unknown): string => (isObj(t) ? str(t.text) : "");
export const ok = (fields: Record<string, unknown> = {}): Answer => ({ ok: true, ...fields });
// Real Slack explains validation failures in response_metadata.messages; WebClient logs them.
export const fail = (error: string, detail?: string): Answer =>
  detail
    ? { ok: false, error, response_metadata: { messages: [`[ERROR] ${detail}`] } }
    : { ok: false, error };

type Limit = [pointer: string, actual: number, max: number];
const count = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
const overLimit = (limits: Limit[]): string | undefined => {
  const hit = limits.find(([, actual, max]) => actual > max);
  return hit && `must be no more than ${hit[2]} [json-pointer:${hit[0]}]`;
};

function elementProblem(el: unknown, at: string): string | undefined {
  if (!isObj(el) || typeof el.type !== "string") return `element needs a type [json-pointer:${at}]`;
  const button = el.type === "button";
  return overLimit([
    [`${at}/action_id`, str(el.action_id).length, 255],
    [`${at}/text/text`, button ? textOf(el.text).length : 0, 75],
    [`${at}/value`, button ? str(el.value).length : 0, 2000],
    [`${at}/url`, str(el.url).length, 3000],
    [`${at}/options`, el.type === "checkboxes" ? count(el.options) : 0, 10],
  ]);
}

function blockProblem(block: unknown, at: string): string | undefined {
  if (!isObj(block) || typeof block.type !== "string") return `block needs a type [json-pointer:${at}]`;
  const { type, text, fields, elements } = block;
  if (type === "section") {
    if (text === undefined && fields === undefined)
      return `section needs text or fields [json-pointer:${at}]`;
    if (text !== undefined && textOf(text).length === 0)
      return `text must not be empty [json-pointer:${at}/text]`;
    const longestField = Math.max(0, ...(Array.isArray(fields) ? fields.map((f) => textOf(f).length) : []));
    return (
      overLimit([
        [`${at}/text/text`, textOf(text).length, 3000],
        [`${at}/fields`, count(fields), 10],
        [`${at}/fields`, longestField, 2000],
      ]) ?? (block.accessory === undefined ? undefined : elementProblem(block.accessory, `${at}/accessory`))
    );
  }
  if (type === "actions") {
    if (count(elements) === 0) return `actions needs elements [json-pointer:${at}/elements]`;
    const problem = overLimit([[`${at}/elements`, count(elements), 25]]);
    const all = elements as unknown[];
    return problem ?? all.map((el, j) => elementProblem(el, `${at}/elements/${j}`)).find(Boolean);
  }
  return overLimit([
    [`${at}/text/text`, type === "header" ? textOf(text).length : 0, 150],
    [`${at}/elements`, type === "context" ? count(elements) : 0, 10],
  ]);
}

function blocksProblem(blocks: unknown, max: number): string | undefined {
  if (!Array.isArray(blocks)) return "blocks must be an array [json-pointer:/blocks]";
  return (
    overLimit([["/blocks", blocks.length, max]]) ??
    blocks.map((block, i) => blockProblem(block, `/blocks/${i}`)).find(Boolean)
  );
}

/** For chat.postMessage / chat.update / chat.postEphemeral: undefined when Slack would accept the content. */
export function messageContentProblem(args: Args, allowEmpty: boolean): Answer | undefined {
  const { text, blocks, attachments } = args;
  const hasContent =
    (typeof text === "string" && text.length > 0) ||
    (Array.isArray(blocks) && blocks.length > 0) ||
    (Array.isArray(attachments) && attachments.length > 0);
  const anyField = text !== undefined || blocks !== undefined || attachments !== undefined;
  if (!hasContent && !(allowEmpty && anyField)) return fail("no_text");
  if (str(text).length > 40_000) return fail("msg_too_long");
  if (blocks === undefined) return undefined;
  const problem = blocksProblem(blocks, MESSAGE_BLOCKS_MAX);
  if (problem) return fail("invalid_blocks", problem);
  const total = (blocks as unknown[]).reduce<number>((sum, b) => sum + JSON.stringify(b).length, 0);
  if (total > MESSAGE_BLOCKS_JSON_MAX) return fail("msg_blocks_too_long");
  return undefined;
}

export function viewProblem(view: unknown): string | undefined {
  if (!isObj(view) || (view.type !== "modal" && view.type !== "home"))
    return "view needs a type [json-pointer:/view]";
  if (view.type === "modal" && !textOf(view.title)) return "modal needs a title [json-pointer:/view/title]";
  return (
    overLimit([
      ["/view/title/text", textOf(view.title).length, 24],
      ["/view/submit/text", textOf(view.submit).length, 24],
      ["/view/close/text", textOf(view.close).length, 24],
      ["/view/private_metadata", str(view.private_metadata).length, 3000],
      ["/view/callback_id", str(view.callback_id).length, 255],
    ]) ?? blocksProblem(view.blocks ?? [], VIEW_BLOCKS_MAX)
  );
}

/**
 * Slack's pace for posts into one channel: about one per second, a short burst allowed, 429 with
 * Retry-After beyond. A token bucket per channel; `take` answers the seconds to wait, or 0.
 */
export function channelPostPace(pace: { perSecond: number; burst: number }, now = () => Date.now()) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(channel: string): number {
      const t = now();
      const bucket = buckets.get(channel) ?? { tokens: pace.burst, at: t };
      bucket.tokens = Math.min(pace.burst, bucket.tokens + ((t - bucket.at) * pace.perSecond) / 1_000);
      bucket.at = t;
      buckets.set(channel, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / pace.perSecond));
    },
  };
}
