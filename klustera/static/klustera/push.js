// Notifications on this phone: Web Push, turned on by a button (never asked on load) and
// off again here or by signing out.
(() => {
  "use strict";
  const card = document.getElementById("push");
  if (!card || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const headers = { "Content-Type": "application/json", "X-CSRFToken": csrf };
  const bytes = (text) =>
    Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

  function show(state) {
    card.querySelectorAll("[data-state]").forEach((el) => (el.hidden = el.dataset.state !== state));
    card.querySelector("[data-action=on]").hidden = state === "on";
    card.querySelector("[data-action=off]").hidden = state !== "on";
  }

  async function turnOn() {
    if ((await Notification.requestPermission()) !== "granted") return show("blocked");
    try {
      const key = (await (await fetch(card.dataset.key)).json()).data.public_key;
      if (!key) return show("failed");
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: bytes(key),
      });
      const { endpoint, keys } = subscription.toJSON();
      const response = await fetch(card.dataset.subscriptions, {
        method: "POST",
        headers,
        body: JSON.stringify({ endpoint, keys }),
      });
      if (!response.ok) return show("failed");
      localStorage.setItem("klustera-push", (await response.json()).data.id);
      show("on");
    } catch {
      show("failed"); // no push service reached (a closed network, a browser without one)
    }
  }

  async function turnOff() {
    const id = localStorage.getItem("klustera-push");
    if (id) await fetch(`${card.dataset.subscriptions}/${id}`, { method: "DELETE", headers });
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) await subscription.unsubscribe();
    localStorage.removeItem("klustera-push");
    show("off");
  }

  card.hidden = false;
  show(
    localStorage.getItem("klustera-push") && Notification.permission === "granted" ? "on" : "off",
  );
  card.querySelector("[data-action=on]").addEventListener("click", turnOn);
  card.querySelector("[data-action=off]").addEventListener("click", turnOff);
})();
