// The staff phone's outbox: task completions (with their photos), patrol scans and incidents
// made with no network, kept in IndexedDB with their own client_id and the phone's time.
// Both the page and the service worker (Background Sync) send it: entries without photos in
// one batch to the sync API, entries with photos one by one to their multipart endpoint. The
// same client_id sent again is stored once, so a send cut off half-way is simply repeated.
(function (scope) {
  "use strict";
  const KEPT_ON_REFUSAL = [401, 403, 429]; // signed out, or busy: kept for the next try

  function open(slug) {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(`klustera-staff-${slug}`, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("outbox", { keyPath: "client_id" });
        request.result.createObjectStore("kept");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(slug, name, mode, work) {
    const db = await open(slug);
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      const request = work(tx.objectStore(name));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  }

  const kept = (slug, key) => run(slug, "kept", "readonly", (s) => s.get(key));
  const keep = (slug, key, value) => run(slug, "kept", "readwrite", (s) => s.put(value, key));
  const waiting = (slug) => run(slug, "outbox", "readonly", (s) => s.getAll());

  async function add(slug, entry, settings) {
    await keep(slug, "settings", settings);
    await run(slug, "outbox", "readwrite", (s) => s.put(entry));
  }

  function reason(error) {
    const details = (error && error.details) || {};
    const messages = Object.entries(details)
      .filter(([field]) => field !== "codes")
      .flatMap(([, list]) => list);
    return messages.length ? messages.join(" ") : (error && (error.message || error.code)) || "";
  }

  async function sendBatch(settings, entries, sentAt) {
    const response = await fetch(settings.sync, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": settings.csrf },
      body: JSON.stringify({
        sent_at: sentAt,
        device: settings.device,
        entries: entries.map((e) => e.body),
      }),
    });
    if (!response.ok) return { done: [], refused: [] };
    const answers = (await response.json()).data.entries;
    const done = [];
    const refused = [];
    answers.forEach((answer, index) => {
      if (answer.code === "too_many") return; // the next send
      done.push(entries[index].client_id);
      if (answer.status === "refused") {
        refused.push({ label: entries[index].label, message: reason(answer) });
      }
    });
    return { done, refused };
  }

  async function sendWithPhotos(settings, entry, sentAt) {
    const form = new FormData();
    Object.entries(entry.fields).forEach(([name, value]) =>
      [].concat(value).forEach((item) => form.append(name, item)),
    );
    form.append("sent_at", sentAt);
    entry.photos.forEach((photo) => form.append("photos", photo.blob, photo.name));
    const response = await fetch(entry.url, {
      method: entry.method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": settings.csrf },
      body: form,
    });
    if (response.ok) return { done: [entry.client_id], refused: [] };
    if (KEPT_ON_REFUSAL.includes(response.status) || response.status >= 500) {
      return { done: [], refused: [] };
    }
    const body = await response.json().catch(() => ({}));
    return {
      done: [entry.client_id],
      refused: [{ label: entry.label, message: reason(body.error) }],
    };
  }

  // Send what waits; answers how many were stored and what the server refused (and why).
  async function send(slug) {
    const [settings, entries] = await Promise.all([kept(slug, "settings"), waiting(slug)]);
    if (!settings || !entries.length) return { sent: 0, refused: [] };
    const sentAt = new Date().toISOString();
    const plain = entries.filter((e) => !e.photos.length);
    const results = plain.length ? [await sendBatch(settings, plain, sentAt)] : [];
    for (const entry of entries.filter((e) => e.photos.length)) {
      results.push(await sendWithPhotos(settings, entry, sentAt));
    }
    const done = results.flatMap((r) => r.done);
    const refused = results.flatMap((r) => r.refused);
    await run(slug, "outbox", "readwrite", (s) => done.forEach((id) => s.delete(id)));
    await keep(slug, "last-sync", sentAt);
    if (refused.length) {
      await keep(slug, "refused", [...((await kept(slug, "refused")) || []), ...refused]);
    }
    return { sent: done.length - refused.length, refused };
  }

  scope.klusteraOutbox = { add, waiting, send, kept, keep };
})(self);
