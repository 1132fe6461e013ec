// Staff work with no network: a task's completion (photos included), a patrol scan or an
// incident submitted offline is kept on the phone (outbox.js) and sent when the network is
// back: by the service worker's Background Sync where the browser has it, else when the
// page sees the network return or opens again. The box above the forms says what waits,
// when the phone last sent, and anything the server refused.
(() => {
  "use strict";
  const box = document.getElementById("outbox");
  if (!box || !window.indexedDB || !self.klusteraOutbox || !window.crypto.randomUUID) return;
  const outbox = self.klusteraOutbox;
  const slug = box.dataset.slug;
  const csrf = () => document.querySelector("[name=csrfmiddlewaretoken]").value;
  const text = (form, name) => (new FormData(form).get(name) || "").toString().trim();

  function position(form) {
    const place = {};
    ["latitude", "longitude"].forEach((name) => {
      if (text(form, name)) place[name] = text(form, name);
    });
    if (text(form, "accuracy") && form.dataset.offline === "patrol_scan") {
      place.accuracy = Number(text(form, "accuracy"));
    }
    return place;
  }

  const KINDS = {
    task_completion: (form, submitter) => ({
      fields: {
        done: submitter && submitter.value === "not_done" ? "false" : "true",
        checked: new FormData(form).getAll("checked"),
        notes: text(form, "notes"),
        reason: text(form, "reason"),
      },
      extra: { task: Number(form.dataset.task) },
      method: "PATCH",
    }),
    patrol_scan: (form) => ({
      fields: { token: text(form, "token"), ...position(form) },
      time: "scanned_at",
    }),
    incident: (form) => ({
      fields: {
        kind: text(form, "kind"),
        severity: text(form, "severity"),
        occurred_at: text(form, "occurred_at") && new Date(text(form, "occurred_at")).toISOString(),
        location: text(form, "location"),
        description: text(form, "description"),
        people: text(form, "people"),
        ...position(form),
      },
      method: "POST",
    }),
  };

  async function deviceId() {
    const known = await outbox.kept(slug, "device");
    if (known) return known;
    const made = crypto.randomUUID();
    await outbox.keep(slug, "device", made);
    return made;
  }

  async function queue(form, submitter) {
    const kind = KINDS[form.dataset.offline](form, submitter);
    const clientId = crypto.randomUUID();
    const now = new Date().toISOString();
    const fields = { ...kind.fields, client_id: clientId, [kind.time || "device_time"]: now };
    const input = form.querySelector("input[type=file]");
    const photos = input ? [...input.files].map((file) => ({ blob: file, name: file.name })) : [];
    await outbox.add(
      slug,
      {
        client_id: clientId,
        body: { type: form.dataset.offline, ...kind.extra, ...fields },
        fields,
        photos,
        url: form.dataset.api,
        method: kind.method || "POST",
        label: form.dataset.label || "",
        queued_at: now,
      },
      { sync: box.dataset.sync, csrf: csrf(), device: await deviceId() },
    );
    form.reset();
    box.querySelector("[data-saved]").hidden = false;
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready
        .then((registration) => registration.sync && registration.sync.register("klustera-outbox"))
        .catch(() => {}); // no Background Sync: sent when the page sees the network
    }
    await show();
  }

  async function show() {
    const online = navigator.onLine;
    box.classList.toggle("offline", !online);
    box.querySelectorAll("[data-when]").forEach((el) => {
      el.hidden = el.dataset.when !== (online ? "online" : "offline");
    });
    const count = (await outbox.waiting(slug)).length;
    box.querySelector("[data-waiting]").textContent = count;
    const last = await outbox.kept(slug, "last-sync");
    box.querySelector("[data-last-sync]").textContent = last
      ? new Date(last).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
      : "—";
    box.hidden = online && !count && !last;
    const refused = (await outbox.kept(slug, "refused")) || [];
    const list = box.querySelector("[data-refused]");
    list.replaceChildren(
      ...refused.map((item) => {
        const li = document.createElement("li");
        li.textContent = `${item.label}: ${item.message}`;
        return li;
      }),
    );
    list.closest("[data-refusals]").hidden = !refused.length;
  }

  async function send() {
    if (!navigator.onLine || !(await outbox.waiting(slug)).length) return show();
    await outbox.keep(slug, "settings", {
      ...((await outbox.kept(slug, "settings")) || {}),
      sync: box.dataset.sync,
      csrf: csrf(), // this page's token: the one kept may be from before a new sign-in
      device: await deviceId(),
    });
    try {
      const { sent } = await outbox.send(slug);
      if (sent) box.querySelector("[data-saved]").hidden = true;
    } catch {
      // the network dropped again: kept for the next try
    }
    return show();
  }

  document.querySelectorAll("form[data-offline]").forEach((form) =>
    form.addEventListener("submit", (event) => {
      if (navigator.onLine) return; // online: the page's own post
      event.preventDefault();
      if (!form.reportValidity()) return;
      queue(form, event.submitter);
    }),
  );
  box.querySelector("[data-dismiss]").addEventListener("click", async () => {
    await outbox.keep(slug, "refused", []);
    show();
  });
  window.addEventListener("online", send);
  window.addEventListener("offline", show);
  send();
})();
