// The gate device's lock: the guard starts a shift with their passkey and a PIN, or
// resumes an idle one with the PIN. The page reloads open once the server agrees.
(() => {
  "use strict";
  const card = document.getElementById("gate-lock");
  if (!card) return;
  const csrf = card.querySelector("[name=csrfmiddlewaretoken]").value;
  const line = card.querySelector("[data-message]");
  const say = (message) => {
    line.textContent = message;
    line.hidden = !message;
  };

  async function send(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
    if (response.ok) return window.location.reload();
    const { error } = await response.json();
    const fields = (error.details && error.details.pin) || [];
    say(fields.length ? fields.join(" ") : error.message);
  }

  card.addEventListener("submit", async (event) => {
    event.preventDefault();
    say("");
    const pin = event.target.elements.pin.value;
    if (event.target.matches("[data-resume]")) return send(card.dataset.resume, { pin });
    if (!window.klusteraPasskeys) return say(card.dataset.cancelled);
    try {
      const signed = await window.klusteraPasskeys.sign(card.dataset.options, csrf);
      await send(card.dataset.shift, { ...signed, pin });
    } catch (error) {
      say(error.name === "NotAllowedError" ? card.dataset.cancelled : error.message);
    }
  });
})();
