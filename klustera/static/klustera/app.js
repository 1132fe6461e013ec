// The installable app: registers the complex's service worker, offers a reload when a
// new version is waiting, and forgets the pages kept offline on sign-out.
// Parts of a page that poll (the bell, the gate's activity, a payment's outcome) wait while
// the phone is offline instead of failing every few seconds; they poll again once it is back.
document.addEventListener("htmx:beforeRequest", (event) => {
  const trigger = event.detail.elt.getAttribute("hx-trigger") || "";
  if (!navigator.onLine && trigger.startsWith("every ")) event.preventDefault();
});

(() => {
  const body = document.body;
  const worker = body.dataset.serviceWorker;
  if (!worker || !("serviceWorker" in navigator)) return;

  const banner = document.getElementById("app-update");
  const offerUpdate = (registration) => {
    if (!banner || !registration.waiting) return;
    banner.hidden = false;
    banner.querySelector("button").addEventListener("click", () => {
      registration.waiting.postMessage("take-over");
    });
  };

  navigator.serviceWorker
    .register(worker, { scope: body.dataset.scope })
    .then((registration) => {
      offerUpdate(registration);
      registration.addEventListener("updatefound", () => {
        const installing = registration.installing;
        installing.addEventListener("statechange", () => {
          if (installing.state === "installed" && navigator.serviceWorker.controller) {
            offerUpdate(registration);
          }
        });
      });
    })
    .catch(() => {}); // no worker (a private window): the portal works as a web page

  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !banner || banner.hidden) return; // the first install: nothing to reload
    reloading = true;
    window.location.reload();
  });

  // The gate's guest list kept for offline checks (guests' names and units) goes too; the
  // answers not sent yet stay, for the next sign-in on this phone to send.
  function dropGuestList() {
    const slug = body.dataset.slug;
    if (!slug || !window.indexedDB) return Promise.resolve();
    return new Promise((resolve) => {
      const request = indexedDB.open(`klustera-gate-${slug}`);
      request.onupgradeneeded = () => request.transaction.abort(); // none here: make none
      request.onerror = () => resolve();
      request.onsuccess = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("kept")) return resolve(db.close());
        const tx = db.transaction("kept", "readwrite");
        tx.objectStore("kept").delete("list");
        tx.oncomplete = tx.onerror = () => resolve(db.close());
      };
    });
  }

  // Signing out: the pages kept for offline use (personal data) go, and this phone's push
  // subscription with them.
  async function forget(form) {
    await caches.delete("klustera-pages");
    await dropGuestList();
    const id = localStorage.getItem("klustera-push");
    if (id) {
      const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
      await fetch(`${body.dataset.pushSubscriptions}/${id}`, {
        method: "DELETE",
        headers: { "X-CSRFToken": csrf },
      });
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) await subscription.unsubscribe();
      localStorage.removeItem("klustera-push");
    }
  }
  document.querySelectorAll("form[data-sign-out]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      forget(form)
        .catch(() => {})
        .then(() => form.submit());
    });
  });
})();
