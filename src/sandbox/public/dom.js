import { h } from "./vnode.js";

// The sandbox page's DOM helpers, which know nothing of what the page shows (app.js does).
// Every text goes into the DOM through textContent (see toDom).

export const $ = (id) => document.getElementById(id);

/** A vnode as DOM; interactive nodes get their handler. */
export function toDom(node, onAct) {
  if (typeof node === "string") return document.createTextNode(node);
  const el = document.createElement(node.tag);
  for (const [name, value] of Object.entries(node.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    if (name === "value" && (node.tag === "input" || node.tag === "textarea")) el.value = String(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of node.children ?? []) el.append(toDom(child, onAct));
  if (node.tag === "textarea") el.value = el.textContent;
  if (node.act && onAct) {
    const event = node.tag === "select" ? "change" : "click";
    el.addEventListener(event, () => {
      if (node.tag === "select" && !el.value) return;
      onAct(node.act, node.tag === "select" ? el.value : null, el);
    });
  }
  return el;
}

/** Slack timestamps in order ("seconds.fraction"). */
export const cmpTs = (a, b) => {
  const [as, af = ""] = a.ts.split(".");
  const [bs, bf = ""] = b.ts.split(".");
  return Number(as) - Number(bs) || af.localeCompare(bf);
};

export function toast(text) {
  $("toast").textContent = text;
  setTimeout(() => {
    if ($("toast").textContent === text) $("toast").textContent = "";
  }, 6000);
}

export async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!answer.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer.result;
}

/** A Slack-style confirmation dialog; resolves true when confirmed. */
export function ask(confirm) {
  const dialog = $("confirm");
  dialog.replaceChildren(
    toDom(
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "confirm-title" }, confirm.title),
        h("p", {}, confirm.text),
        h(
          "footer",
          {},
          h("button", { value: "deny", type: "submit", class: "btn" }, confirm.deny),
          h(
            "button",
            { value: "ok", type: "submit", class: `btn ${confirm.style ?? "primary"}` },
            confirm.confirm,
          ),
        ),
      ),
    ),
  );
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
  });
}

/** What a modal's inputs hold, by block and action id, as Slack sends `view.state.values`. */
export function collect(form) {
  const values = {};
  for (const el of form.querySelectorAll("[data-block]")) {
    const { block, actionId, kind } = el.dataset;
    let value;
    if (kind) value = [...el.querySelectorAll("input:checked")].map((i) => i.value);
    else if (el.tagName === "SELECT" && el.multiple) value = [...el.selectedOptions].map((o) => o.value);
    else value = el.value === "" ? null : el.value;
    if (kind === "radio") value = value[0] ?? null;
    values[block] = { ...(values[block] ?? {}), [actionId]: value };
  }
  return values;
}

/** A message box: Enter sends (Shift+Enter is a new line); a refusal shows under it. */
export function composer(form, box, error, send) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    error.textContent = "";
    try {
      await send(text);
      box.value = "";
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

/** A Slack timestamp as a date and time in the reader's time zone. */
export function timeIn(ts, tz) {
  return new Date(Number(ts.split(".")[0]) * 1000).toLocaleString("en-GB", {
    timeZone: tz,
    dateStyle: "medium",
    timeStyle: "short",
  });
}
