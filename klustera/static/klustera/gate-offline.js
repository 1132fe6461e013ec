// Guard mode with no network: passes are verified with the complex's Ed25519 public keys and
// guest codes matched against today's list (a slow keyed hash of each code, never the code),
// both kept from the last time the phone was online. Every offline answer is queued in
// IndexedDB with its own id and the phone's time, and sent to the sync API once the network
// is back; what the server flags (a code used at another gate, cancelled meanwhile) is shown.
(() => {
  "use strict";
  const status = document.getElementById("gate-status");
  const form = document.getElementById("check");
  if (!status || !form || !window.indexedDB || !window.crypto || !crypto.subtle) return;
  // A locked gate device (no shift open) checks nothing; its queue waits for the shift.
  if (document.getElementById("gate-lock")) return;
  const answer = document.getElementById("answer");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const urls = status.dataset;
  const SKEW = 60; // seconds: the server's allowance for clocks (klustera/access/passes.py)
  const PASS_TTL = 300;

  // --- IndexedDB: the outbox and what was fetched last ---------------------------------
  const opened = new Promise((resolve, reject) => {
    const request = indexedDB.open(`klustera-gate-${urls.slug}`, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("outbox", { keyPath: "client_id" });
      request.result.createObjectStore("kept");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  function store(name, mode, work) {
    return opened.then(
      (db) =>
        new Promise((resolve, reject) => {
          const transaction = db.transaction(name, mode);
          const result = work(transaction.objectStore(name));
          transaction.oncomplete = () => resolve(result && result.result);
          transaction.onerror = () => reject(transaction.error);
        }),
    );
  }
  const keep = (key, value) => store("kept", "readwrite", (s) => s.put(value, key));
  const kept = (key) => store("kept", "readonly", (s) => s.get(key));
  const queued = () => store("outbox", "readonly", (s) => s.getAll());

  // --- What the phone keeps for going offline ------------------------------------------
  async function refresh() {
    if (!navigator.onLine) return;
    try {
      const [keys, list] = await Promise.all(
        [urls.keys, urls.list].map((url) =>
          fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)),
        ),
      );
      if (keys) await keep("keys", keys.data);
      if (list) await keep("list", list.data);
    } catch {
      // the network went while asking: what was kept stays
    }
  }

  // --- Deciding offline ------------------------------------------------------------------
  const bytes = (text) =>
    Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const base64url = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");

  async function checkPass(token) {
    const keys = await kept("keys");
    const parts = token.split(".");
    if (!keys || parts.length !== 3) return { result: "invalid" };
    let payload;
    try {
      payload = JSON.parse(new TextDecoder().decode(bytes(parts[1])));
    } catch {
      return { result: "invalid" };
    }
    const known = keys.keys.find((key) => key.kid === payload.k);
    if (!known || payload.c !== keys.complex) return { result: "invalid" };
    const key = await crypto.subtle.importKey(
      "raw",
      bytes(known.public_key),
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, key, bytes(parts[2]), signed))) {
      return { result: "invalid" };
    }
    const now = Date.now() / 1000;
    if (now > payload.e + SKEW) return { result: "expired" };
    if (now < payload.e - PASS_TTL - SKEW) return { result: "not_yet" };
    return { result: "valid", name: payload.m || "", unit: payload.l || "" };
  }

  async function checkCode(typed) {
    const list = await kept("list");
    if (!list) return { result: "unknown" };
    const code = typed.toUpperCase().replace(/[^A-Z0-9]/g, "");
    const material = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(code),
      "PBKDF2",
      false,
      ["deriveBits"],
    );
    const digest = base64url(
      await crypto.subtle.deriveBits(
        { name: "PBKDF2", hash: "SHA-256", salt: bytes(list.salt), iterations: list.iterations },
        material,
        256,
      ),
    );
    const now = new Date();
    const guest = list.guests.find((g) => g.hash === digest && new Date(g.ends_at) >= now);
    if (!guest) return { result: "unknown" };
    if (now < new Date(new Date(guest.starts_at).getTime() - 30 * 60 * 1000))
      return { result: "not_yet" };
    return {
      result: "valid",
      name: guest.name,
      unit: guest.unit,
      people: guest.people,
      plate: guest.plate,
    };
  }

  function show(verdict) {
    const template = document.getElementById(
      `offline-${verdict.result === "valid" ? "allowed" : verdict.result === "unknown" ? "unknown" : "refused"}`,
    );
    const shown = template.content.cloneNode(true);
    shown.querySelectorAll("[data-slot]").forEach((slot) => {
      const value = verdict[slot.dataset.slot];
      if (value) slot.textContent = value;
      else if (slot.dataset.optional !== undefined) slot.remove();
    });
    const reason = shown.querySelector(`[data-reason="${verdict.result}"]`);
    shown.querySelectorAll("[data-reason]").forEach((other) => other !== reason && other.remove());
    answer.replaceChildren(shown);
  }

  async function decideOffline() {
    const payload = document.getElementById("payload").value.trim();
    if (!payload) return;
    const verdict = payload.toUpperCase().startsWith("KP1.")
      ? await checkPass(payload)
      : await checkCode(payload);
    show(verdict);
    if (verdict.result !== "unknown") {
      await store("outbox", "readwrite", (s) =>
        s.put({
          type: "gate_check",
          client_id: crypto.randomUUID(),
          device_time: new Date().toISOString(),
          payload,
          answer: verdict.result,
          gate: document.getElementById("gate").value,
          plate: document.getElementById("plate").value,
        }),
      );
    }
    document.getElementById("payload").value = "";
    await showState();
  }

  // --- Sync --------------------------------------------------------------------------------
  let syncing = false;
  async function sync() {
    if (syncing || !navigator.onLine) return;
    const entries = await queued();
    if (!entries.length) return;
    syncing = true;
    try {
      const response = await fetch(urls.sync, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({
          sent_at: new Date().toISOString(),
          device: document.getElementById("device").value,
          entries: entries.slice(0, 500),
        }),
      });
      if (!response.ok) return;
      const answers = (await response.json()).data.entries;
      const flagged = answers.filter((a) => a.flags && a.flags.some((f) => f !== "clock_skewed"));
      await store("outbox", "readwrite", (s) =>
        answers.forEach((a) =>
          a.status !== "refused" || a.code !== "too_many" ? s.delete(a.client_id) : null,
        ),
      );
      await keep("last-sync", new Date().toISOString());
      const note = document.getElementById("sync-flags");
      note.hidden = flagged.length === 0;
      note.querySelector("[data-count]").textContent = flagged.length;
    } catch {
      // still offline after all: tried again on the next change
    } finally {
      syncing = false;
      await showState();
    }
  }

  async function showState() {
    const online = navigator.onLine;
    status.classList.toggle("offline", !online);
    status.querySelectorAll("[data-when]").forEach((el) => {
      el.hidden = el.dataset.when !== (online ? "online" : "offline");
    });
    status.querySelector("[data-waiting]").textContent = (await queued()).length;
    const last = await kept("last-sync");
    const when = status.querySelector("[data-last-sync]");
    when.textContent = last
      ? new Date(last).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
      : "—";
  }

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt === form && !navigator.onLine) {
      event.preventDefault();
      decideOffline();
    }
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    if (event.detail.elt === form) decideOffline();
  });
  window.addEventListener("online", () => showState().then(sync).then(refresh));
  window.addEventListener("offline", showState);
  showState().then(sync).then(refresh);
  kept("list").then((list) => setInterval(refresh, ((list && list.refresh_after) || 300) * 1000));
})();
