// Recrubo for Carerix page script, loaded as an ES module with the page's
// CSP nonce. No inline handlers: behaviour is attached here to elements
// marked with data- attributes. Embedded pages carry their session token
// in a <script type="application/json" id="embed-data"> block; it is kept
// in memory only and sent as "Authorization: Bearer" with every request.

const POLL_MS = 1500;
const WAIT_S = 25;
const LIST_POLL_MS = 30000;

// BUSY is waitTurn's answer when this page may not wait now.
const BUSY = "busy";

// waitTurn runs ask(true), a request that waits at the server for a
// change (up to WAIT_S seconds), when this page may wait: it is visible
// and holds the browser's one wait lock, so that open tabs never hold
// more than one of the six connections a browser opens to a server over
// HTTP/1.1. It returns what ask returns, or BUSY without asking.
async function waitTurn(ask) {
  if (document.visibilityState !== "visible") return BUSY;
  if (navigator.locks) {
    return navigator.locks.request("recrubo-wait", { ifAvailable: true }, (lock) => (lock ? ask(true) : BUSY));
  }
  return ask(true);
}

// whenHidden calls fn when the page or one of its tab panels is hidden,
// so that a waiting request of what no longer shows is given up (and
// the wait lock with it).
function whenHidden(fn) {
  document.addEventListener("visibilitychange", () => { if (document.hidden) fn(); });
  document.addEventListener("recrubo:panel", fn);
}

// waitingAsk returns the ask of a panel (the thread, the list) whose
// request may wait at the server for a change (waitTurn): url(wait) is
// the request's URL, held() the ETag of what the panel shows, and
// show(res, url) shows a 200 answered to url. Hiding the panel, or the
// page, gives its waiting request up. ask answers how long to pause
// before the next request: none after a request that waited, POLL_MS
// after one that did not ask to, pause after one answered before it
// could have waited (an error, a server that does not wait), and -1 once
// the session ended. ask.abort() gives up its waiting request.
function waitingAsk(call, panel, url, held, show, pause) {
  let waiting = null;
  async function ask(wait) {
    const sent = Date.now();
    const ctl = new AbortController();
    if (wait) waiting = ctl;
    try {
      const u = url(wait);
      const tag = held();
      const res = await call(u, { signal: ctl.signal, headers: tag ? { "If-None-Match": tag } : {} });
      if (res.status === 200) await show(res, u);
      if (!wait) return POLL_MS;
      return res.status === 200 || (res.status === 304 && Date.now() - sent >= 1000) ? 0 : pause;
    } catch (e) {
      if (e.message === "expired") return -1;
      return !wait || ctl.signal.aborted ? POLL_MS : pause;
    } finally {
      if (waiting === ctl) waiting = null;
    }
  }
  ask.abort = () => { if (waiting) waiting.abort(); };
  whenHidden(() => { if (document.hidden || panel.offsetParent === null) ask.abort(); });
  return ask;
}

const dataEl = document.getElementById("embed-data");
if (dataEl) {
  start(JSON.parse(dataEl.textContent));
}
const signInEl = document.getElementById("embed-signin");
if (signInEl) {
  startSignIn(JSON.parse(signInEl.textContent));
}
if (document.querySelector('[data-embed="signin-callback"]')) {
  relaySignIn();
}

// claimsOf reads a session token's claims (its tenant, proof and expiry)
// without checking it: the server does that with every request.
function claimsOf(token) {
  try {
    const b64 = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(b64));
  } catch (e) {
    return {};
  }
}

// A session proved by a sign-in opens every page of its tenant, so the
// frame keeps it in its session storage (where the browser allows one; it
// is partitioned per Carerix site and ends with the tab): records opened
// next in the same tab need no second sign-in.
function storageKeyOf(claims) { return "recrubo-session:" + claims.tid + ":" + claims.sub; }

function keepSession(token) {
  const c = claimsOf(token);
  if (c.prf !== "signin" || !c.tid) return;
  try { sessionStorage.setItem(storageKeyOf(c), token); } catch (e) { /* storage blocked: sign in per page */ }
}

function storedSession(key) {
  try {
    const token = sessionStorage.getItem(key);
    if (token && claimsOf(token).exp * 1000 > Date.now() + 30000) return token;
    if (token) sessionStorage.removeItem(key);
  } catch (e) { /* storage blocked */ }
  return "";
}

function forgetSession(token) {
  try { sessionStorage.removeItem(storageKeyOf(claimsOf(token))); } catch (e) { /* storage blocked */ }
}

// navigate loads url inside the frame by POST with the session token in
// the form, so no proof or token ever travels in a URL.
function navigate(url, token) {
  const form = document.createElement("form");
  form.method = "POST";
  form.action = url;
  form.hidden = true;
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = "session";
  input.value = token;
  form.appendChild(input);
  document.body.appendChild(form);
  form.submit();
}

function start(cfg) {
  const session = { token: cfg.token };
  cfg.currentToken = () => session.token;
  keepSession(session.token);
  const status = document.getElementById("status");
  const say = (text) => { if (status) status.textContent = text || ""; };

  async function call(url, opts = {}) {
    const headers = Object.assign({ Authorization: "Bearer " + session.token }, opts.headers || {});
    const res = await fetch(url, Object.assign({}, opts, { headers, credentials: "omit", cache: "no-store" }));
    if (res.status === 401) {
      forgetSession(session.token);
      say(cfg.expiredText);
      throw new Error("expired");
    }
    return res;
  }

  // Refresh the token well before it expires (15 minutes). The server
  // ends a session 12 hours after the page loaded (401): the page then
  // asks for a reload and stops refreshing.
  const refresh = setInterval(async () => {
    try {
      const res = await call(cfg.refreshURL, { method: "POST" });
      if (res.ok) {
        session.token = (await res.json()).token;
        keepSession(session.token);
      }
    } catch (e) {
      if (e.message === "expired") clearInterval(refresh);
    }
  }, 10 * 60 * 1000);

  // Links inside the frame (a dashboard period) load by POST with the
  // session token.
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-nav]");
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
    ev.preventDefault();
    navigate(a.getAttribute("href"), session.token);
  });

  wireTabs();
  wireList(cfg, call, say);
  if (cfg.threadURL) wireInbox(cfg, call, say);
  if (cfg.broadcastURL) wireBroadcast(cfg, call, say);
  // Marks the page as wired, for people and tools that wait on it.
  document.documentElement.dataset.ready = "true";
}

// errorText returns the message of an error response (the server writes
// it in the page's language), or fallback.
async function errorText(res, fallback) {
  try {
    return (await res.json()).error || fallback;
  } catch (e) {
    return fallback; // not JSON
  }
}

// wireTabs makes the inbox's tabs work as tabs: a click or Enter shows a
// panel; the arrow keys, Home and End move between the tabs.
function wireTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"][data-tab]')];
  const select = (tab, focus) => {
    tabs.forEach((t) => {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
    });
    document.querySelectorAll("[data-panel]").forEach((p) => { p.hidden = p.dataset.panel !== tab.dataset.tab; });
    document.dispatchEvent(new Event("recrubo:panel"));
    if (focus) tab.focus();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (ev) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[ev.key];
      if (next === undefined) return;
      ev.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length], true);
    });
  });
}

// The list's filter form works without script (a GET with the URL's
// proof); with script it fetches only the rows.
function wireList(cfg, call, say) {
  const form = document.querySelector('[data-form="list"]');
  const rows = document.querySelector("[data-list-rows]");
  if (!form || !rows || !cfg.listURL) return;
  // etag tags the rows shown. A filter change gives up a waiting
  // request; rows answered for other filters than the form's now are
  // dropped.
  let etag = "";
  function query(wait) {
    const fd = new FormData(form);
    const q = new URLSearchParams({ view: fd.get("view") || "mine", unread: fd.get("unread") || "", q: fd.get("q") || "" });
    if (wait) q.set("wait", String(WAIT_S));
    return cfg.listURL + "?" + q.toString();
  }
  async function shown(res, asked) {
    const html = await res.text(); // server-rendered, escaped HTML
    if (asked !== query(false) && asked !== query(true)) return; // the filters changed meanwhile
    etag = res.headers.get("ETag") || "";
    if (html !== rows.dataset.shown) {
      rows.innerHTML = html;
      rows.dataset.shown = html;
    }
  }
  const ask = waitingAsk(call, rows, query, () => etag, shown, LIST_POLL_MS);
  async function load(quiet) {
    ask.abort();
    const asked = query(false);
    try {
      const res = await call(asked);
      if (!res.ok) { if (!quiet) say(await errorText(res, cfg.failedText)); return; }
      await shown(res, asked);
      if (!quiet) say("");
    } catch (e) { /* reported */ }
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(false); });
  // A choice in a filter applies at once; the button is for the search.
  form.querySelectorAll("select").forEach((s) => s.addEventListener("change", () => load(false)));
  // The list follows new messages while it is shown, waiting at the
  // server for a change (its rows also change as time passes: "2 h
  // ago"). A shown list that may not wait now asks every LIST_POLL_MS
  // and tries for the wait every POLL_MS; a hidden one asks nothing.
  let plain = 0;
  async function follow() {
    let next = POLL_MS;
    if (!document.hidden && rows.offsetParent !== null) {
      next = await waitTurn(ask);
      if (next === BUSY) {
        next = POLL_MS;
        if (Date.now() - plain >= LIST_POLL_MS) {
          plain = Date.now();
          if ((await ask(false)) < 0) next = -1;
        }
      }
    }
    if (next >= 0) setTimeout(follow, next);
  }
  follow();
}

function wireInbox(cfg, call, say) {
  const thread = document.getElementById("thread");
  let etag = thread.dataset.etag || "";

  // The toolbar's state badge and open/close button.
  const badge = document.querySelector("[data-state-badge]");
  const stateButton = document.querySelector('[data-action="state"]');
  function showState(state) {
    if (!badge || !stateButton || (state !== "open" && state !== "closed")) return;
    const open = state === "open";
    badge.className = "state-badge " + state;
    badge.textContent = open ? badge.dataset.textOpen : badge.dataset.textClosed;
    stateButton.dataset.state = open ? "closed" : "open";
    stateButton.textContent = open ? stateButton.dataset.labelOpen : stateButton.dataset.labelClosed;
  }

  const media = wireMedia(thread, call, say, cfg);
  const older = wireOlder(thread, call, say, cfg, (loaded) => {
    loaded.forEach((m) => seen.add(m.dataset.id));
    media.load();
  });
  // New messages are read out once, by the live region, not by replacing
  // the whole thread.
  const announce = document.getElementById("announce");
  const seen = new Set([...thread.querySelectorAll(".message[data-id]")].map((m) => m.dataset.id));
  function announceNew() {
    const fresh = [...thread.querySelectorAll(".message[data-id]")].filter((m) => !seen.has(m.dataset.id));
    fresh.forEach((m) => seen.add(m.dataset.id));
    const said = fresh.filter((m) => m.classList.contains("inbound")).map((m) =>
      (m.querySelector(".sender")?.textContent || "") + ": " + (m.querySelector(".bubble")?.textContent || "").replace(/\s+/g, " ").trim());
    if (announce && said.length) announce.textContent = said.join(". ");
  }
  function show(res) {
    etag = res.headers.get("ETag") || etag;
    showState(res.headers.get("X-Conversation-State"));
    return res.text().then((html) => {
      const atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
      older.keep(() => { thread.innerHTML = html; }); // server-rendered, escaped HTML
      media.load();
      announceNew();
      if (atBottom) thread.scrollTop = thread.scrollHeight;
      thread.dataset.etag = etag;
    });
  }

  // The thread's request waits at the server for a change while the
  // thread is shown (waitTurn), so a message shows as soon as it is
  // stored; else it asks every POLL_MS. Hiding the thread gives up its
  // waiting request.
  const waitURL = new URL(cfg.threadURL, location.href);
  waitURL.searchParams.set("wait", String(WAIT_S));
  const ask = waitingAsk(call, thread, (wait) => (wait ? waitURL.href : cfg.threadURL), () => etag, show, POLL_MS);
  async function poll() {
    let next = thread.offsetParent !== null ? await waitTurn(ask) : BUSY;
    if (next === BUSY) next = await ask(false);
    if (next >= 0) setTimeout(poll, next);
  }
  poll();
  thread.scrollTop = thread.scrollHeight;

  // post sends an action and shows the thread it answers with; it reports
  // whether the action was done, and says why not.
  async function post(path, opts) {
    say(cfg.sending);
    try {
      const res = await call(cfg.actionURL + path, Object.assign({ method: "POST" }, opts));
      if (!res.ok) {
        say(await errorText(res, cfg.failedText));
        return false;
      }
      await show(res);
      say("");
      return true;
    } catch (e) {
      if (e.message !== "expired") say(cfg.failedText);
      return false;
    }
  }

  function act(path, body) {
    return post(path, { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
  }

  const send = document.querySelector('[data-form="send"]');
  if (send) {
    send.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = send.elements.body.value;
      const file = send.elements.file && send.elements.file.files[0];
      if (file) {
        if (await sendFile(file, body)) send.reset();
        return;
      }
      if (!body.trim()) return;
      if (await act("/send", { body })) send.reset();
    });
  }

  // A file goes as a multipart form, with the text as its caption.
  function sendFile(file, caption) {
    const form = new FormData();
    form.append("body", caption);
    form.append("file", file, file.name);
    return post("/send-file", { body: form });
  }

  const tpl = document.querySelector('[data-form="send-template"]');
  if (tpl) {
    const picker = wirePicker(tpl);
    tpl.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (!(await act("/send", { template: picker.template(), vars: picker.values() }))) return;
      // The first message starts the conversation: load the page again,
      // with the session, for its toolbar.
      if (!stateButton) { navigate(location.pathname + location.search, cfg.currentToken()); return; }
      tpl.reset();
      picker.sync();
    });
  }

  thread.addEventListener("click", (ev) => {
    const b = ev.target.closest('[data-action="retry"]');
    if (b) act("/messages/" + encodeURIComponent(b.dataset.message) + "/retry");
  });

  document.querySelectorAll('[data-action="read"]').forEach((b) => b.addEventListener("click", () => act("/read")));
  document.querySelectorAll('[data-action="assign"]').forEach((s) =>
    s.addEventListener("change", () => act("/assign", { assignee: s.value })));
  if (stateButton) stateButton.addEventListener("click", () => act("/state", { state: stateButton.dataset.state }));
}

// wireOlder adds the thread's older messages: "Older messages" (shown
// above the newest page when there are more) loads the page before the
// oldest one shown and puts it on top, keeping what the reader sees in
// place. The thread's poll replaces the newest page only: keep(replace)
// runs it and puts back above it the older messages loaded so far, and
// those the newest page no longer holds. loaded(messages) is told of
// messages added.
function wireOlder(thread, call, say, cfg, loaded) {
  let control = thread.querySelector("[data-older]");
  let kept = []; // message elements above the newest page, oldest first
  const live = () => [...thread.querySelectorAll(":scope > .message[data-id]")];

  function keep(replace) {
    const before = live().filter((m) => !kept.includes(m));
    replace();
    const now = new Set(live().map((m) => m.dataset.id));
    kept = kept.concat(before).filter((m) => !now.has(m.dataset.id));
    thread.prepend(...(control ? [control] : []), ...kept);
  }

  async function more(button) {
    if (button.disabled) return;
    button.disabled = true;
    thread.setAttribute("aria-busy", "true");
    say(cfg.olderLoading);
    try {
      const res = await call(cfg.olderURL + "?before=" + encodeURIComponent(control.dataset.cursor));
      if (!res.ok) { say(await errorText(res, cfg.failedText)); return; }
      const page = await res.json();
      const tpl = document.createElement("template");
      tpl.innerHTML = page.html; // server-rendered, escaped HTML
      const msgs = [...tpl.content.querySelectorAll(".message[data-id]")];
      // Keep the reader's place: what was on screen stays where it was.
      const fromBottom = thread.scrollHeight - thread.scrollTop;
      control.after(...msgs);
      kept = msgs.concat(kept);
      thread.scrollTop = thread.scrollHeight - fromBottom;
      loaded(msgs);
      if (page.more && page.cursor) {
        control.dataset.cursor = page.cursor;
        say(cfg.olderLoaded);
      } else {
        // The button goes; focus moves to the first message, not the page.
        control.remove();
        control = null;
        say(cfg.olderStart);
        const first = msgs[0] || thread.querySelector(".message[data-id]");
        if (first) { first.tabIndex = -1; first.focus({ preventScroll: true }); } else thread.focus({ preventScroll: true });
      }
    } catch (e) {
      if (e.message !== "expired") say(cfg.failedText);
    } finally {
      button.disabled = false;
      thread.removeAttribute("aria-busy");
    }
  }

  thread.addEventListener("click", (ev) => {
    const b = ev.target.closest('[data-action="older"]');
    if (b && control) more(b);
  });
  return { keep };
}

// randomString returns n random bytes as base64url: PKCE verifiers,
// states and nonces.
function randomString(n) {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function pkceChallenge(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// startSignIn runs the sign-in page: with a session the tab kept, the page
// loads at once; otherwise the button opens the tenant's Carerix realm in
// a popup (a recruiter signed in to Carerix comes straight back), our
// callback page hands back the code, and the code, the PKCE verifier and
// the nonce buy a session token, with which the page loads.
function startSignIn(cfg) {
  const status = document.getElementById("status");
  const say = (text) => { if (status) status.textContent = text || ""; };
  // The template names the Carerix user who opened the record; a session
  // kept for another user of this tab is not used.
  const kept = cfg.userHint ? storedSession(cfg.storageKey + ":" + cfg.userHint) : "";
  if (kept) {
    navigate(cfg.pagePath, kept);
    return;
  }
  const button = document.querySelector('[data-action="signin"]');
  let pending = null;
  window.addEventListener("message", async (ev) => {
    if (!pending || ev.origin !== location.origin || ev.source !== pending.popup) return;
    const data = ev.data || {};
    if (data.type !== "recrubo-signin") return;
    const p = pending;
    pending = null;
    if (data.error || !data.code || data.state !== p.state) {
      say(cfg.failedText);
      return;
    }
    try {
      const res = await fetch(cfg.exchangeURL, {
        method: "POST",
        credentials: "omit",
        cache: "no-store",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ code: data.code, verifier: p.verifier, nonce: p.nonce, kind: cfg.kind, record: cfg.record, lang: cfg.lang }),
      });
      if (!res.ok) {
        say(await errorText(res, cfg.failedText));
        return;
      }
      const token = (await res.json()).token;
      keepSession(token);
      navigate(cfg.pagePath, token);
    } catch (e) {
      say(cfg.failedText);
    }
  });
  button.addEventListener("click", async () => {
    const verifier = randomString(48);
    const state = randomString(24);
    const nonce = randomString(24);
    const u = new URL(cfg.authURL);
    u.searchParams.set("response_type", "code");
    u.searchParams.set("client_id", cfg.clientID);
    u.searchParams.set("redirect_uri", cfg.redirectURI);
    u.searchParams.set("scope", cfg.scope);
    u.searchParams.set("state", state);
    u.searchParams.set("nonce", nonce);
    u.searchParams.set("code_challenge", await pkceChallenge(verifier));
    u.searchParams.set("code_challenge_method", "S256");
    const popup = window.open(u.toString(), "recrubo-signin", "popup,width=480,height=640");
    if (!popup) {
      say(cfg.popupBlockedText);
      return;
    }
    pending = { popup, verifier, state, nonce };
    say(cfg.waitingText);
  });
  document.documentElement.dataset.ready = "true";
}

// relaySignIn runs our callback page in the popup: it hands the realm's
// answer to the framed page that opened it, on our own origin only, and
// closes.
function relaySignIn() {
  const q = new URLSearchParams(location.search);
  const msg = { type: "recrubo-signin", code: q.get("code") || "", state: q.get("state") || "", error: q.get("error") || "" };
  history.replaceState(null, "", location.pathname); // the code leaves the address bar
  if (window.opener) {
    window.opener.postMessage(msg, location.origin);
    window.close();
  }
  document.documentElement.dataset.ready = "true";
}

// wireMedia shows the thread's files. They are served only with the
// session token, so the page fetches them and shows them from memory:
// images as they appear, other files when their button is clicked (saved
// under their name). Each file is fetched once per page.
function wireMedia(thread, call, say, cfg) {
  const urls = new Map(); // API URL → promise of an object URL

  function objectURL(url) {
    if (!urls.has(url)) {
      urls.set(url, call(url).then(async (res) => {
        if (!res.ok) throw new Error(await errorText(res, cfg.failedText));
        return URL.createObjectURL(await res.blob());
      }));
      urls.get(url).catch(() => urls.delete(url)); // try again next time
    }
    return urls.get(url);
  }

  function load() {
    thread.querySelectorAll("img[data-media-src]:not([src])").forEach((img) => {
      objectURL(img.dataset.mediaSrc).then((u) => { img.src = u; }).catch(() => {});
    });
  }

  thread.addEventListener("click", async (ev) => {
    const b = ev.target.closest("[data-media-url]");
    if (!b) return;
    try {
      const u = await objectURL(b.dataset.mediaUrl);
      const a = document.createElement("a");
      a.href = u;
      a.download = b.dataset.filename || "";
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (e) {
      if (e.message !== "expired") say(e.message || cfg.failedText);
    }
  });
  load();
  return { load };
}

// wireBroadcast sends the vacancy page's template to the matched
// candidates and follows the broadcast's progress until it is done.
function wireBroadcast(cfg, call, say) {
  const form = document.querySelector('[data-form="broadcast"]');
  const box = document.getElementById("broadcast-progress");
  if (!box) return;

  async function follow(url) {
    try {
      const res = await call(url);
      if (res.ok) {
        box.innerHTML = await res.text(); // server-rendered, escaped HTML
        if (res.headers.get("X-Broadcast-State") === "done") return;
      }
    } catch (e) {
      if (e.message === "expired") return;
    }
    setTimeout(() => follow(url), 1500);
  }
  const running = box.querySelector('[data-broadcast][data-state="running"]');
  if (running) follow(cfg.broadcastURL + "/" + encodeURIComponent(running.dataset.broadcast));
  if (!form) return;

  const picker = wirePicker(form);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    say(cfg.sending);
    try {
      const res = await call(cfg.broadcastURL, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ template: picker.template(), vars: picker.values(), key: form.elements.key.value }),
      });
      if (!res.ok) { say(await errorText(res, cfg.failedText)); return; }
      box.innerHTML = await res.text(); // server-rendered, escaped HTML
      say("");
      const run = box.querySelector("[data-broadcast]");
      if (run && res.headers.get("X-Broadcast-State") !== "done") {
        follow(cfg.broadcastURL + "/" + encodeURIComponent(run.dataset.broadcast));
      }
    } catch (e) {
      if (e.message !== "expired") say(cfg.failedText);
    }
  });
}

// wirePicker runs a template picker: the chosen template's values show
// (and are required), the others' hide, and the preview shows the message
// as the candidate will read it while the recruiter types. In the
// broadcast's form, "{first_name}" and the like read as the candidate the
// form names (its data- attributes) will see them.
function wirePicker(form) {
  const select = form.elements.template;
  const tokens = ["first_name", "last_name", "name", "vacancy", "company"];
  const fill = (v) => tokens.reduce((s, t) => (form.dataset[t] ? s.split("{" + t + "}").join(form.dataset[t]) : s), v);
  const active = () => form.querySelector('fieldset[data-template="' + CSS.escape(select.value) + '"]');
  function update() {
    const fs = active();
    const preview = form.querySelector('[data-preview="' + CSS.escape(select.value) + '"]');
    if (!fs || !preview) return;
    preview.querySelectorAll("[data-slot]").forEach((slot) => {
      const input = fs.querySelector('[data-var="' + slot.dataset.slot + '"]');
      const v = input ? fill(input.value) : "";
      slot.textContent = v || slot.dataset.example;
      slot.classList.toggle("filled", v !== "");
    });
  }
  function sync() {
    form.querySelectorAll("fieldset[data-template]").forEach((fs) => {
      const on = fs.dataset.template === select.value;
      fs.hidden = !on;
      fs.disabled = !on;
      fs.querySelectorAll("[data-var]").forEach((i) => { i.required = on; });
    });
    form.querySelectorAll("[data-preview]").forEach((p) => { p.hidden = p.dataset.preview !== select.value; });
    update();
  }
  select.addEventListener("change", sync);
  form.addEventListener("input", (ev) => { if (ev.target.matches("[data-var]")) update(); });
  sync();
  return {
    sync,
    template: () => select.value,
    values: () => { const fs = active(); return fs ? [...fs.querySelectorAll("[data-var]")].map((i) => i.value) : []; },
  };
}
