import { markdown } from "./markdown.js";
import { mrkdwn } from "./mrkdwn.js";
import { h, textContent } from "./vnode.js";

// Block Kit as DOM nodes, for messages and modals. Interactive elements carry `act` (what to send
// when used); inputs in modals carry data-block / data-action-id so the page can collect them.
// A block or element the sandbox can't draw is shown as a labelled placeholder, never dropped.

/** Slack gives a block without block_id one of its own; the sandbox uses its position. */
export const blockIdOf = (block, index) => block.block_id || `b${index}`;

/** A text object: mrkdwn formatted, plain_text as it is. */
export function textObject(text, ctx, inlineOnly = false) {
  if (!text) return null;
  if (text.type === "mrkdwn") {
    const rendered = mrkdwn(text.text, ctx);
    return inlineOnly ? h("span", { class: "mrkdwn" }, rendered.children) : rendered;
  }
  return h("span", { class: "plain" }, String(text.text ?? ""));
}
const plain = (text) => String(text?.text ?? "");

function placeholder(kind, type, detail) {
  return h(
    "div",
    { class: "placeholder", role: "note", "aria-label": `Unsupported ${kind}: ${type}` },
    `⚠ The sandbox can't draw the ${kind} “${type}”`,
    detail ? h("pre", {}, detail) : null,
  );
}

const confirmOf = (el) =>
  el.confirm
    ? {
        title: plain(el.confirm.title) || "Are you sure?",
        text: textContent(textObject(el.confirm.text, {}) ?? ""),
        confirm: plain(el.confirm.confirm) || "Yes",
        deny: plain(el.confirm.deny) || "Cancel",
        style: el.confirm.style,
      }
    : undefined;

/** An interactive element in a message or modal (not an input block's element). */
function element(el, blockId, ctx) {
  const act = { blockId, actionId: el.action_id, type: el.type, confirm: confirmOf(el) };
  switch (el.type) {
    case "button":
      return {
        ...h(
          "button",
          {
            type: "button",
            class: `btn ${el.style ?? ""}`.trim(),
            ...(el.url ? { "data-url": el.url } : {}),
          },
          plain(el.text),
        ),
        act,
      };
    case "overflow":
      return {
        ...h(
          "select",
          { class: "overflow", "aria-label": "More actions" },
          h("option", { value: "" }, "⋯"),
          (el.options ?? []).map((o) => h("option", { value: o.value }, plain(o.text))),
        ),
        act,
      };
    case "static_select":
    case "users_select":
    case "conversations_select":
    case "channels_select": {
      const options =
        el.type === "static_select"
          ? (el.options ?? []).map((o) => [o.value, plain(o.text)])
          : el.type === "users_select"
            ? (ctx.people ?? []).map((p) => [p.id, p.name])
            : (ctx.channels ?? []).map((c) => [c.id, `#${c.name}`]);
      const label = plain(el.placeholder) || "Choose";
      return {
        ...h(
          "select",
          { "aria-label": label },
          h("option", { value: "" }, label),
          options.map(([v, t]) => h("option", { value: v }, t)),
        ),
        act,
      };
    }
    case "image":
      return h(
        "span",
        { class: "image", role: "img", "aria-label": el.alt_text ?? "image" },
        `🖼 ${el.alt_text ?? ""}`,
      );
    default:
      return placeholder("element", el.type ?? "unknown");
  }
}

/** The element of an input block, in a modal: collected when the modal is submitted. */
function inputElement(el, blockId, ctx) {
  const id = `in-${blockId}-${el.action_id}`;
  const data = {
    id,
    "data-block": blockId,
    "data-action-id": el.action_id,
    "aria-describedby": `err-${blockId}`,
  };
  switch (el.type) {
    case "plain_text_input":
      return el.multiline
        ? h(
            "textarea",
            { ...data, rows: "4", placeholder: plain(el.placeholder) || undefined },
            el.initial_value ?? "",
          )
        : h("input", {
            ...data,
            type: "text",
            value: el.initial_value ?? undefined,
            placeholder: plain(el.placeholder) || undefined,
          });
    case "static_select":
    case "users_select":
    case "multi_users_select": {
      const multiple = el.type === "multi_users_select";
      const options =
        el.type === "static_select"
          ? (el.options ?? []).map((o) => [o.value, plain(o.text)])
          : (ctx.people ?? []).map((p) => [p.id, `${p.name}`]);
      const initial = el.initial_option?.value ?? el.initial_user ?? "";
      return h(
        "select",
        { ...data, ...(multiple ? { multiple: true } : {}) },
        multiple ? null : h("option", { value: "" }, plain(el.placeholder) || "Choose…"),
        options.map(([v, t]) => h("option", { value: v, ...(v === initial ? { selected: true } : {}) }, t)),
      );
    }
    case "checkboxes":
    case "radio_buttons": {
      const kind = el.type === "checkboxes" ? "checkbox" : "radio";
      const chosen = new Set(
        [...(el.initial_options ?? []), el.initial_option].filter(Boolean).map((o) => o.value),
      );
      return h(
        "div",
        {
          role: kind === "radio" ? "radiogroup" : "group",
          "aria-labelledby": `label-${blockId}`,
          "data-block": blockId,
          "data-action-id": el.action_id,
          "data-kind": kind,
        },
        (el.options ?? []).map((o, n) =>
          h(
            "label",
            { class: "option" },
            h("input", {
              type: kind,
              name: id,
              value: o.value,
              id: `${id}-${n}`,
              ...(chosen.has(o.value) ? { checked: true } : {}),
            }),
            textObject(o.text, ctx, true),
            o.description ? h("small", {}, plain(o.description)) : null,
          ),
        ),
      );
    }
    default:
      return placeholder("input", el.type ?? "unknown");
  }
}

function section(block, blockId, ctx) {
  return h(
    "div",
    { class: "block section" },
    h(
      "div",
      { class: "section-body" },
      textObject(block.text, ctx),
      block.fields
        ? h(
            "div",
            { class: "fields" },
            block.fields.map((f) => h("div", { class: "field" }, textObject(f, ctx))),
          )
        : null,
    ),
    block.accessory ? h("div", { class: "accessory" }, element(block.accessory, blockId, ctx)) : null,
  );
}

function input(block, blockId, ctx) {
  const el = block.element ?? {};
  const grouped = el.type === "checkboxes" || el.type === "radio_buttons";
  return h(
    "div",
    { class: "block input" },
    h(
      grouped ? "span" : "label",
      {
        class: "label",
        id: `label-${blockId}`,
        ...(grouped ? {} : { for: `in-${blockId}-${el.action_id}` }),
      },
      plain(block.label),
      block.optional ? h("small", {}, " (optional)") : null,
    ),
    inputElement(el, blockId, ctx),
    block.hint ? h("div", { class: "hint" }, plain(block.hint)) : null,
    h("div", { class: "error", id: `err-${blockId}`, role: "alert" }),
  );
}

function block(b, index, ctx) {
  const blockId = blockIdOf(b, index);
  switch (b.type) {
    case "header":
      return h("h3", { class: "block header" }, plain(b.text));
    case "section":
      return section(b, blockId, ctx);
    case "divider":
      return h("hr", { class: "block divider" });
    case "context":
      return h(
        "div",
        { class: "block context" },
        (b.elements ?? []).map((el) =>
          el.type === "image" ? element(el, blockId, ctx) : textObject(el, ctx, true),
        ),
      );
    case "actions":
      return h(
        "div",
        { class: "block actions", role: "group" },
        (b.elements ?? []).map((el) => element(el, blockId, ctx)),
      );
    case "input":
      return input(b, blockId, ctx);
    case "markdown":
      return h("div", { class: "block" }, markdown(b.text, ctx));
    case "image":
      return h(
        "figure",
        { class: "block image" },
        element({ ...b, type: "image" }, blockId, ctx),
        b.title ? h("figcaption", {}, plain(b.title)) : null,
      );
    default:
      return placeholder("block", b.type ?? "unknown", JSON.stringify(b).slice(0, 300));
  }
}

/** A message's or modal's blocks. ctx: { people, channels } for mentions and user selects. */
export function renderBlocks(blocks, ctx = {}) {
  return h(
    "div",
    { class: "blocks" },
    (blocks ?? []).map((b, i) => block(b ?? {}, i, ctx)),
  );
}
