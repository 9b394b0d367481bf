/* KMB Intake chat widget. Embed with:
 *   <script src="https://HOST/widget.js" defer data-lang="cs" data-exit-url="https://…"></script>
 * Plain JavaScript, no build step. Styles live in a Shadow DOM; the conversation is kept in
 * sessionStorage only (never localStorage or cookies), so closing the tab forgets it. */
(() => {
  "use strict";
  const STRINGS = /*STRINGS*/ {};
  const LANGS = ["cs", "en", "uk"];
  const NAMES = { cs: "Čeština", en: "English", uk: "Українська" };
  const KEY = "kmb-intake";
  const MAX_TRIES = 12;  // about a minute of "busy" answers: then the person decides
  const script = document.currentScript;
  const data = (script && script.dataset) || {};
  const base = data.api || (script ? new URL(script.src, location.href).origin : location.origin);
  const exitUrl = data.exitUrl || "https://www.seznam.cz/";
  const two = (v) => (v || "").slice(0, 2).toLowerCase();

  const store = {
    load() { try { return JSON.parse(sessionStorage.getItem(KEY)) || {}; } catch (e) { return {}; } },
    save() { try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* full or off */ } },
    clear() { try { sessionStorage.removeItem(KEY); } catch (e) { /* off */ } },
  };
  const initialLang = [data.lang, document.documentElement.lang, navigator.language]
    .map(two).find((l) => LANGS.includes(l)) || "cs";
  let state = Object.assign({ token: null, cursor: 0, pending: [], log: [], open: false,
    lang: initialLang }, store.load());
  const t = (key) => (STRINGS[state.lang] || STRINGS.cs || {})[key] || key;
  const uid = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) +
    Math.random().toString(16).slice(2)).replace(/[^A-Za-z0-9_-]/g, "").slice(0, 40);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // ---- DOM -------------------------------------------------------------------------------
  const host = document.createElement("div");
  host.id = "kmb-intake-widget";
  const shadow = host.attachShadow({ mode: "open" });
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== false && v != null) node.setAttribute(k, v === true ? "" : v);
    }
    children.forEach((c) => c && node.append(c));
    return node;
  };
  const style = el("link", { rel: "stylesheet", href: base + "/widget.css" });
  const launcher = el("button", { class: "launcher", type: "button", "aria-expanded": "false",
    "aria-controls": "kmb-panel", onclick: () => setOpen(true) });
  const exitMini = el("button", { class: "exit-mini", type: "button", onclick: quickExit });
  const title = el("h2", { id: "kmb-title" });
  const langLabel = el("label", { class: "sr-only", for: "kmb-lang" });
  const langSelect = el("select", { id: "kmb-lang", onchange: () => switchLanguage(langSelect.value) },
    ...LANGS.map((l) => el("option", { value: l, lang: l, text: NAMES[l] })));
  const exitButton = el("button", { class: "exit", type: "button", onclick: quickExit });
  const closeButton = el("button", { class: "close", type: "button", onclick: () => setOpen(false) });
  const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    tabindex: "0", "aria-labelledby": "kmb-title" });
  const offline = el("div", { class: "offline", role: "status", hidden: true });
  const typing = el("div", { class: "typing", "aria-hidden": "true", hidden: true });
  const inputLabel = el("label", { class: "sr-only", for: "kmb-input" });
  const input = el("textarea", { id: "kmb-input", rows: "1", maxlength: "4000", autocomplete: "off" });
  const sendButton = el("button", { class: "send", type: "submit" });
  const form = el("form", { onsubmit: (e) => { e.preventDefault(); sendText(); } },
    inputLabel, input, sendButton);
  const panel = el("section", { class: "panel", id: "kmb-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "kmb-title", hidden: true },
    el("header", {}, title, langLabel, langSelect, exitButton, closeButton), log, offline, typing, form);
  shadow.append(style, el("div", { class: "root" }, launcher, exitMini, panel));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); sendText(); }
  });
  // The text box grows with what is typed (up to the CSS max-height), so a longer
  // message stays readable before it is sent.
  function fitInput() {
    input.style.height = "auto";
    if (input.value) input.style.height = input.scrollHeight + 2 + "px";
  }
  input.addEventListener("input", fitInput);

  function labels() {
    launcher.textContent = t("launcher");
    exitMini.textContent = exitButton.textContent = t("quick_exit");
    exitButton.setAttribute("aria-label", t("quick_exit_long"));
    exitMini.setAttribute("aria-label", t("quick_exit_long"));
    title.textContent = t("title");
    langLabel.textContent = t("language");
    langSelect.value = state.lang;
    closeButton.textContent = t("close");
    inputLabel.textContent = t("input_label");
    input.placeholder = t("placeholder");
    sendButton.textContent = t("send");
    typing.textContent = t("typing");
    offline.textContent = t("offline");
    panel.setAttribute("lang", state.lang);
  }

  // ---- rendering ---------------------------------------------------------------------------
  function safeLink(link) {
    try {
      const url = new URL(link.url);
      if (url.protocol !== "https:" && url.protocol !== "tel:") return null;
      return el("a", { href: url.href, text: link.label,
        ...(url.protocol === "https:" ? { target: "_blank", rel: "noopener noreferrer" } : {}) });
    } catch (e) { return null; }
  }

  // A file that came with a message, offered for download from memory (a blob: URL):
  // no request to any server, and nothing left behind once the page is gone.
  function download(doc) {
    const url = URL.createObjectURL(new Blob([doc.content], { type: doc.mime }));
    return el("div", { class: "links" },
      el("a", { href: url, download: doc.filename, text: t("calendar") }));
  }

  // Phone numbers in a message become links to call: emergency lines (112, 150, 155, 156,
  // 158, 116 xxx) and nine-digit Czech numbers, with or without +420 — but not a part of
  // a larger number ("150 000 Kč", "1 158", "150,000") or of a house number ("158/12").
  const PHONE = /(\+420[ \u00a0]?\d{3}[ \u00a0]?\d{3}[ \u00a0]?\d{3}|(?<!\d[,.\/]?[ \u00a0\u202f]?)(?:\b\d{3} \d{3} \d{3}|\b116 ?\d{3}|\b(?:112|15[0568]))\b(?![ \u00a0\u202f]?(?:\d|[,.\/]\d)))/g;
  function withPhoneLinks(text) {
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(PHONE)) {
      parts.push(document.createTextNode(text.slice(last, match.index)));  // always text, never HTML
      parts.push(el("a", { href: "tel:" + match[0].replace(/ /g, ""), text: match[0] }));
      last = match.index + match[0].length;
    }
    parts.push(document.createTextNode(text.slice(last)));
    return parts;
  }

  // The first of the bot's newest messages: the log shows it from its first line (where
  // the emergency numbers are), not scrolled to its end. Until the person sends again.
  let anchor = null;

  function render() {
    const active = shadow.activeElement;  // a button of the log keeps its focus when redrawn
    const focused = active && log.contains(active) ? active.dataset.payload : null;
    log.replaceChildren();
    const lastWithChoices = state.log.map((m) => m.who === "bot" && !!(m.choices && m.choices.length))
      .lastIndexOf(true);
    let anchored = null;
    state.log.forEach((m, index) => {
      const unsent = m.pending || m.failed;
      const bubble = el("div", { class: "msg " + (m.who === "me" ? "me" : "bot") + (unsent ? " pending" : "") });
      bubble.append(...(m.who === "bot" ? withPhoneLinks(m.text) : [document.createTextNode(m.text)]));
      if (m === anchor) anchored = bubble;
      if (unsent) bubble.append(el("span", { class: "note", text: t("not_sent") }));
      if (m.who === "bot" && m.links && m.links.length) {
        bubble.append(el("div", { class: "links" }, ...m.links.map(safeLink)));
      }
      if (m.who === "bot" && m.document) bubble.append(download(m.document));
      if (m.who === "bot" && m.choices && m.choices.length) {
        const live = index === lastWithChoices && !state.pending.length;
        bubble.append(el("div", { class: "chips", role: "group" }, ...m.choices.map((c) =>
          el("button", { class: "chip", type: "button", "data-payload": c.payload,
            "aria-pressed": c.selected ? "true" : false, disabled: !live,
            text: c.label, onclick: () => press(c) }))));
      }
      log.append(bubble);
    });
    log.scrollTop = anchored
      ? log.scrollTop + anchored.getBoundingClientRect().top - log.getBoundingClientRect().top - 8
      : log.scrollHeight;
    exitMini.hidden = state.open || !state.token;
    if (focused) {
      const again = [...log.querySelectorAll(".chip:not([disabled])")].find((c) => c.dataset.payload === focused);
      if (again) again.focus();
    }
  }

  function focusNext() {
    // Someone typing keeps the text box (moving away would close a phone's keyboard);
    // after a tap, the next question's first button. Either way the log stays where
    // render() put it.
    if (shadow.activeElement === input) return;
    const chip = log.querySelector(".chip:not([disabled])");
    (chip || input).focus({ preventScroll: true });
  }

  // ---- talking to the server -----------------------------------------------------------------
  async function api(method, path, body) {
    const headers = { "Accept-Language": state.lang };
    if (body) headers["Content-Type"] = "application/json";
    if (state.token) headers.Authorization = "Bearer " + state.token;
    const response = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined,
      credentials: "omit", cache: "no-store" });
    let payload = null;
    try { payload = await response.json(); } catch (e) { /* empty */ }
    return { ok: response.ok, status: response.status, data: payload,
      retryAfter: Number(response.headers.get("Retry-After")) || 0 };
  }

  function receive(found) {
    if (!found) return false;
    let changed = false;
    for (const m of found.messages || []) {
      if (m.id > state.cursor) {
        // The person deleted their data: this window shows nothing from before either.
        if (m.clear) state.log = state.log.filter((e) => e.pending);
        const entry = { who: "bot", id: m.id, text: m.text, choices: m.choices, links: m.links, document: m.document };
        // The same question again (a tap on a multiple choice marks the choice and asks
        // it anew): shown once, at the end, not once per tap.
        let earlier = state.log.length - 1;  // the last message from the bot
        while (earlier >= 0 && state.log[earlier].who !== "bot") earlier--;
        if (earlier >= 0 && m.choices && m.choices.length && state.log[earlier].text === m.text
            && (state.log[earlier].choices || []).length) state.log.splice(earlier, 1);
        if (!changed) anchor = entry;
        state.log.push(entry);
        changed = true;
      }
    }
    state.cursor = Math.max(state.cursor, found.cursor || 0);
    if (found.locale && LANGS.includes(found.locale) && found.locale !== state.lang) {
      state.lang = found.locale;
      labels();
      changed = true;
    }
    if (!changed) return false;  // an empty long poll: leave focus and scrolling alone
    state.log = state.log.slice(-200);
    store.save();
    render();
    return true;
  }

  function note(text) { state.log.push({ who: "bot", text }); store.save(); render(); }

  let starting = false;
  async function start(moveFocus = true) {
    if (starting || state.token) return;
    starting = true;
    try {
      for (let tries = 1; !state.token; tries++) {
        let r;
        try {
          r = await api("POST", "/widget/api/sessions", { locale: state.lang });
        } catch (e) {  // offline: try again, more slowly each time
          offline.hidden = false;
          await sleep(Math.min(1000 * 2 ** tries, 15000));
          continue;
        }
        offline.hidden = true;
        const busy = r.status === 429 || r.status === 503;
        if (!r.ok && (!busy || tries >= MAX_TRIES)) { note((r.data && r.data.detail) || t("error")); return; }
        if (busy) {
          if (tries === 1) note((r.data && r.data.detail) || t("error"));
          await sleep(1000 * (r.retryAfter || 5));
          continue;
        }
        state.token = r.data.token;
        receive(r.data);
        if (state.open && moveFocus) focusNext();  // not when a page load resumed it
        poll();
        flush(moveFocus);  // anything typed while there was no session
      }
    } finally {
      starting = false;
    }
  }

  // The session expired (or was ended elsewhere): say so with the server's words, and
  // begin a new one — at once if the chat is open, else when it is opened.
  function restartAfterExpiry(detail, moveFocus = true) {
    const unsent = state.log.filter((m) => m.pending);  // still to be sent, in the new session
    state = { token: null, cursor: 0, pending: state.pending, log: [], open: state.open, lang: state.lang };
    if (detail) state.log.push({ who: "bot", text: detail });
    state.log.push(...unsent);
    store.save();
    render();
    if (state.open) start(moveFocus);
  }

  let flushing = false;
  let delay = 1000;
  async function flush(moveFocus = true) {
    // Nothing to send, or no session yet (start() flushes once it has one).
    if (flushing || !state.token || !state.pending.length) return;
    flushing = true;
    let delivered = false;
    try {
      while (state.pending.length) {
        const item = state.pending[0];
        typing.hidden = false;
        let r;
        try {
          r = await api("POST", "/widget/api/messages", { id: item.id, text: item.text,
            payload: item.payload, after: state.cursor });
        } catch (e) {  // offline: keep it, try again later with the same id
          offline.hidden = false;
          setTimeout(() => flush(moveFocus), delay);
          delay = Math.min(delay * 2, 15000);
          return;
        }
        offline.hidden = true;
        delay = 1000;
        if (r.status === 401) { restartAfterExpiry(r.data && r.data.detail, moveFocus); return; }
        item.tries = (item.tries || 0) + 1;
        if ((r.status === 429 || r.status === 503) && item.tries < MAX_TRIES) {
          // Kept and sent again with the same id; the apology is shown once.
          if (item.tries === 1) note((r.data && r.data.detail) || t("error"));
          store.save();
          await sleep(1000 * (r.retryAfter || 5));
          continue;
        }
        state.pending.shift();
        delivered = true;
        const mine = state.log.find((m) => m.pendingId === item.id);
        if (mine) { mine.pending = false; mine.failed = !r.ok; }  // given up: still "not sent"
        if (r.ok) receive(r.data); else note((r.data && r.data.detail) || t("error"));
      }
    } finally {
      flushing = false;
      typing.hidden = true;
      store.save();
      render();
      if (state.open && delivered && moveFocus) focusNext();  // not on retries while offline
    }
  }
  addEventListener("online", () => { delay = 1000; flush(false); });

  function send(item, label) {
    anchor = null;  // show what they sent, at the bottom
    state.pending.push(item);
    state.log.push({ who: "me", text: label, pendingId: item.id, pending: true });
    store.save();
    render();
    flush();
  }

  function sendText() {
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    fitInput();
    send({ id: uid(), text }, text);
    if (!state.token) start();
  }

  function press(choice) { send({ id: uid(), payload: choice.payload }, choice.label); }

  function switchLanguage(lang) {
    state.lang = lang;
    labels();
    store.save();
    if (state.token) send({ id: uid(), payload: "lang:" + lang }, NAMES[lang]);
  }

  let polling = false;
  async function poll() {
    if (polling) return;
    polling = true;
    while (state.token) {
      try {
        const r = await api("GET", "/widget/api/messages?after=" + state.cursor + "&wait=25");
        if (r.ok) { offline.hidden = true; receive(r.data); }
        else if (r.status === 401) { restartAfterExpiry(r.data && r.data.detail, false); break; }
        else await sleep(3000);
      } catch (e) {
        offline.hidden = false;
        await sleep(delay);
      }
    }
    polling = false;
  }

  // ---- opening, closing, quick exit ---------------------------------------------------------------
  function setOpen(open, moveFocus = true) {
    state.open = open;
    store.save();
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    render();
    if (open) {
      if (!state.token) start(moveFocus); else if (moveFocus) focusNext();
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  function quickExit() {
    store.clear();
    state = { token: null, cursor: 0, pending: [], log: [], open: false, lang: state.lang };
    host.remove();
    location.replace(exitUrl);
  }

  let lastEscape = 0;
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    const now = Date.now();
    if (now - lastEscape < 1000) { quickExit(); return; }
    lastEscape = now;
    if (state.open) setOpen(false);
  });

  function mount() {
    document.body.append(host);
    labels();
    setOpen(state.open, false);  // a page load does not take the focus from the page
    if (state.token) { poll(); flush(false); }  // a page load moves no focus
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
