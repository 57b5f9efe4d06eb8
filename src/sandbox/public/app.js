import { renderBlocks } from "./blocks.js";
import { $, api, ask, cmpTs, collect, composer, timeIn, toast, toDom } from "./dom.js";
import { markdown } from "./markdown.js";
import { mrkdwn } from "./mrkdwn.js";
import { h } from "./vnode.js";

// The sandbox page: fetches what the acting person sees, redraws on server events, sends acts.

const view = {
  me: localStorage.getItem("preflight-sandbox-user") || "UALICE",
  channel: "",
  thread: "",
  state: null,
  fetchedAt: 0,
  modalKey: "",
};

const ctx = () => ({
  people: view.state?.people ?? [],
  channels: view.state?.channels ?? [],
  tz: view.state?.people.find((p) => p.id === view.me)?.tz,
});
const person = (id) => view.state?.people.find((p) => p.id === id);
const channelById = (id) => view.state?.channels.find((c) => c.id === id);
const timeOf = (ts) => timeIn(ts, person(view.me)?.tz);

/** Sends a click or a choice in a message (or a modal when viewId is given). */
function actOn(where) {
  return async (act, selected, el) => {
    if (act.confirm && !(await ask(act.confirm))) return;
    if (el.dataset.url) window.open(el.dataset.url, "_blank", "noopener");
    try {
      await api("/api/action", {
        user: view.me,
        blockId: act.blockId,
        actionId: act.actionId,
        selected,
        ...where,
      });
    } catch (error) {
      toast(error.message);
    }
  };
}

function messageItem(m, { inThread }) {
  const author = m.user === view.state.botUser ? "Preflight" : (person(m.user)?.name ?? m.user);
  const replies = inThread ? [] : view.state.messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
  const files = view.state.files.filter((f) => f.ts === m.ts);
  const li = toDom(
    h(
      "li",
      { class: `message${m.ephemeral ? " ephemeral" : ""}`, "data-ts": m.ts },
      h(
        "div",
        { class: "meta" },
        h("span", { class: "author" }, author),
        m.user === view.state.botUser ? h("span", { class: "app-badge" }, "APP") : null,
        h("time", {}, timeOf(m.ts)),
        m.edited ? h("span", {}, "(edited)") : null,
        m.ephemeral ? h("span", { class: "only-you" }, "Only visible to you") : null,
      ),
      m.blocks?.length ? renderBlocks(m.blocks, ctx()) : m.text ? mrkdwn(m.text, ctx()) : null,
      files.map((f) =>
        h(
          "div",
          { class: "file", role: "article", "aria-label": `File ${f.title}` },
          f.comment ? mrkdwn(f.comment, ctx()) : null,
          h("strong", {}, `📄 ${f.title}`),
          h(
            "details",
            { open: true },
            h("summary", {}, f.name),
            f.name.endsWith(".md") ? markdown(f.content, ctx()) : h("pre", {}, f.content),
          ),
        ),
      ),
    ),
    actOn({ channel: m.channel, ts: m.ts }),
  );
  if (replies.length > 0) {
    const button = toDom(
      h(
        "button",
        { type: "button", class: "thread-link" },
        `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`,
      ),
    );
    button.addEventListener("click", () => openThread(m.ts));
    li.append(button);
  } else if (!inThread && !m.ephemeral) {
    const button = toDom(
      h(
        "button",
        { type: "button", class: "thread-link", "aria-label": `Reply in thread to ${author}` },
        "Reply in thread",
      ),
    );
    button.addEventListener("click", () => openThread(m.ts));
    li.append(button);
  }
  return li;
}

/** Files posted in a thread show as messages of their own. */
const fileMessages = (channel, threadTs) =>
  view.state.files
    .filter((f) => f.channel === channel && (f.thread_ts ?? "") === threadTs)
    .map((f) => ({ channel, ts: f.ts, user: view.state.botUser, text: "", thread_ts: f.thread_ts }));

function drawList(list, items, inThread) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(...items.sort(cmpTs).map((m) => messageItem(m, { inThread })));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function drawChannel() {
  const { state } = view;
  const channel = channelById(view.channel) ?? state.channels[0];
  view.channel = channel.id;
  $("channel-title").textContent = `#${channel.name}`;
  $("message-box").setAttribute("aria-label", `Message #${channel.name}`);
  $("message-box").placeholder = `Message #${channel.name}`;
  const top = state.messages.filter(
    (m) => m.channel === channel.id && (!m.thread_ts || m.thread_ts === m.ts),
  );
  const mine = state.ephemerals
    .filter((e) => e.channel === channel.id && !e.thread_ts)
    .map((e) => ({ ...e, ephemeral: true }));
  drawList($("messages"), [...top, ...mine, ...fileMessages(channel.id, "")], false);
  const problems = state.checklists.problems;
  $("problems").replaceChildren(
    ...(problems.length
      ? [
          toDom(
            h(
              "div",
              { class: "problems", role: "alert" },
              h("strong", {}, `Checklists left out (${state.checklists.dir}):`),
              h(
                "ul",
                {},
                problems.map((p) => h("li", {}, p)),
              ),
            ),
          ),
        ]
      : []),
  );
}

function drawThread() {
  const aside = $("thread");
  const parent = view.state.messages.find((m) => m.channel === view.channel && m.ts === view.thread);
  aside.hidden = !parent;
  if (!parent) return;
  const replies = view.state.messages.filter(
    (m) => m.channel === view.channel && m.thread_ts === view.thread && m.ts !== view.thread,
  );
  const mine = view.state.ephemerals
    .filter((e) => e.channel === view.channel && e.thread_ts === view.thread)
    .map((e) => ({ ...e, ephemeral: true }));
  drawList(
    $("thread-messages"),
    [parent, ...replies, ...mine, ...fileMessages(view.channel, view.thread)],
    true,
  );
}

function drawSidebar() {
  const { state } = view;
  $("channels").replaceChildren(
    ...state.channels.map((c) => {
      const current = c.id === view.channel ? { "aria-current": "page" } : {};
      return toDom(h("li", {}, h("a", { href: `#${c.name}`, ...current }, `#${c.name}`)));
    }),
  );
  $("people").replaceChildren(
    ...state.people.map((p) => toDom(h("li", {}, `${p.name} `, h("small", {}, p.tz)))),
  );
  const select = $("acting-as");
  if (select.options.length !== state.people.length) {
    select.replaceChildren(
      ...state.people.map((p) => toDom(h("option", { value: p.id }, `${p.name} (${p.realName})`))),
    );
  }
  select.value = view.me;
  const { instances, snapshots } = state.rds;
  $("rds-state").replaceChildren(
    ...instances.map((i) =>
      toDom(h("li", {}, h("code", {}, i.id), ` ${i.status} · ${i.engine} ${i.engineVersion}`)),
    ),
    ...snapshots.map((s) => toDom(h("li", {}, "📸 ", h("code", {}, s.id), ` ${s.status}`))),
  );
  drawClock();
}

function drawClock() {
  if (!view.state) return;
  const now = new Date(Date.parse(view.state.now) + (Date.now() - view.fetchedAt));
  const tz = person(view.me)?.tz;
  const ahead = view.state.offsetMs > 0 ? ` (${Math.round(view.state.offsetMs / 60000)} min ahead)` : "";
  $("clock").textContent =
    `${now.toLocaleString("en-GB", { timeZone: tz, dateStyle: "medium", timeStyle: "short" })} ${tz}${ahead}`;
}

function drawModal() {
  const dialog = $("modal");
  const modal = view.state.modal;
  const key = modal ? `${modal.id}:${modal.hash ?? ""}` : "";
  if (key === view.modalKey) return;
  view.modalKey = key;
  if (!modal) {
    if (dialog.open) dialog.close();
    return;
  }
  const form = toDom(
    h(
      "form",
      {},
      h("h2", { id: "modal-title" }, modal.title?.text ?? "Modal"),
      renderBlocks(modal.blocks, ctx()),
      h("p", { class: "error", id: "modal-error", role: "alert" }),
      h(
        "footer",
        {},
        h("button", { type: "button", class: "btn", "data-close": "" }, modal.close?.text ?? "Cancel"),
        modal.submit ? h("button", { type: "submit", class: "btn primary" }, modal.submit.text) : null,
      ),
    ),
    actOn({ viewId: modal.id }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitModal(form, modal);
  });
  form.querySelector("[data-close]").addEventListener("click", () => closeModal(modal));
  dialog.replaceChildren(form);
  dialog.oncancel = (event) => {
    event.preventDefault();
    closeModal(modal);
  };
  if (!dialog.open) dialog.showModal();
}

async function submitModal(form, modal) {
  for (const el of form.querySelectorAll(".error")) el.textContent = "";
  try {
    const result = await api("/api/submit", { user: view.me, viewId: modal.id, values: collect(form) });
    if (result.ok) return;
    for (const [block, message] of Object.entries(result.errors ?? {})) {
      const slot = form.querySelector(`#${CSS.escape(`err-${block}`)}`);
      if (slot) slot.textContent = message;
    }
    if (result.message) form.querySelector("#modal-error").textContent = result.message;
  } catch (error) {
    form.querySelector("#modal-error").textContent = error.message;
  }
}

async function closeModal(modal) {
  try {
    await api("/api/close", { user: view.me, viewId: modal.id });
  } catch (error) {
    toast(error.message);
  }
}

function openThread(ts) {
  view.thread = ts;
  drawThread();
  $("reply-box").focus();
}

/** Refreshes overlap (events, the timer, a change of person): only the newest answer is drawn. */
let asked = 0;
let drawn = 0;

async function refresh() {
  const mine = ++asked;
  const response = await fetch(`/api/state?user=${encodeURIComponent(view.me)}`);
  const state = await response.json();
  if (mine < drawn) return;
  drawn = mine;
  view.state = state;
  view.fetchedAt = Date.now();
  const named = view.state.channels.find((c) => `#${c.name}` === decodeURIComponent(location.hash));
  if (named) view.channel = named.id;
  drawChannel();
  drawSidebar();
  drawThread();
  drawModal();
}

const send = (threadTs) => (text) =>
  api("/api/send", {
    user: view.me,
    channel: view.channel,
    text,
    ...(threadTs() ? { threadTs: threadTs() } : {}),
  });
const toChannel = send(() => "");
const toThread = send(() => view.thread);
composer($("composer"), $("message-box"), $("composer-error"), toChannel);
composer($("reply-form"), $("reply-box"), $("reply-error"), toThread);
$("close-thread").addEventListener("click", () => {
  view.thread = "";
  drawThread();
});
$("acting-as").addEventListener("change", (event) => {
  view.me = event.target.value;
  localStorage.setItem("preflight-sandbox-user", view.me);
  view.modalKey = "-";
  void refresh();
});
for (const button of document.querySelectorAll("#fast-forward button")) {
  button.addEventListener("click", async () => {
    try {
      const result = await api("/api/advance", { by: button.dataset.by });
      toast(`Clock moved ${button.textContent}${result.promoted ? `: ${result.promoted} job(s) due` : ""}`);
    } catch (error) {
      toast(error.message);
    }
  });
}
$("fault-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(event.target);
  const body = { action: data.get("action"), code: data.get("code"), times: Number(data.get("times")) };
  try {
    await api("/api/fault", body);
    $("fault-status").textContent = `The next ${body.times} ${body.action} call(s) fail with ${body.code}.`;
  } catch (error) {
    $("fault-status").textContent = error.message;
  }
});
window.addEventListener("hashchange", () => {
  view.thread = "";
  void refresh();
});
setInterval(drawClock, 15_000);
// RDS statuses move with time, not only with events.
setInterval(() => void refresh(), 5_000);
new EventSource("/api/events").addEventListener("change", () => void refresh());
