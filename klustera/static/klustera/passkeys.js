// Passkeys (WebAuthn): sign in with one on the sign-in page, add one on the profile page.
// The server's options arrive as JSON (base64url for bytes); the browser's answer goes back
// the same way.
(() => {
  "use strict";
  if (!window.PublicKeyCredential) return;
  const bytes = (text) =>
    Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const text = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  const withIds = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));

  function answer(credential) {
    const r = credential.response;
    const response = { clientDataJSON: text(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = text(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = text(r.authenticatorData);
      response.signature = text(r.signature);
      if (r.userHandle) response.userHandle = text(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment,
    };
  }

  async function post(url, csrf, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((data.error && data.error.message) || data.message || "");
    return data.data || data;
  }

  // Sign the server's challenge with one of the person's passkeys (the gate tablet uses it too).
  async function sign(optionsUrl, csrf) {
    const { challenge_id: challengeId, options } = await post(optionsUrl, csrf);
    const credential = await navigator.credentials.get({
      publicKey: {
        ...options,
        challenge: bytes(options.challenge),
        allowCredentials: withIds(options.allowCredentials),
      },
    });
    return { challenge_id: challengeId, credential: answer(credential) };
  }
  window.klusteraPasskeys = { sign };

  function say(box, message) {
    const line = box.querySelector("[data-message]");
    line.textContent = message;
    line.hidden = !message;
  }

  const signIn = document.getElementById("passkey-sign-in");
  if (signIn) {
    const csrf = signIn.querySelector("[name=csrfmiddlewaretoken]").value;
    signIn.hidden = false;
    signIn.querySelector("button").addEventListener("click", async () => {
      say(signIn, "");
      try {
        const signed = await sign(signIn.dataset.options, csrf);
        const form = new FormData();
        form.set("challenge_id", signed.challenge_id);
        form.set("credential", JSON.stringify(signed.credential));
        form.set("next", signIn.dataset.next || "");
        const response = await fetch(signIn.dataset.signIn, {
          method: "POST",
          headers: { "X-CSRFToken": csrf },
          body: form,
        });
        const data = await response.json();
        if (!response.ok) return say(signIn, data.message);
        window.location.assign(data.next);
      } catch (error) {
        say(signIn, error.name === "NotAllowedError" ? signIn.dataset.cancelled : error.message);
      }
    });
  }

  const card = document.getElementById("passkeys");
  if (card) {
    const csrf = card.querySelector("[name=csrfmiddlewaretoken]").value;
    card.querySelector("[data-add]").hidden = false;
    card.querySelector("[data-unsupported]").hidden = true;
    card.querySelector("[data-add]").addEventListener("submit", async (event) => {
      event.preventDefault();
      say(card, "");
      try {
        const { challenge_id: challengeId, options } = await post(card.dataset.options, csrf);
        const credential = await navigator.credentials.create({
          publicKey: {
            ...options,
            challenge: bytes(options.challenge),
            user: { ...options.user, id: bytes(options.user.id) },
            excludeCredentials: withIds(options.excludeCredentials),
          },
        });
        await post(card.dataset.passkeys, csrf, {
          challenge_id: challengeId,
          credential: answer(credential),
          name: event.target.elements.name.value,
        });
        window.location.reload();
      } catch (error) {
        say(card, error.name === "NotAllowedError" ? card.dataset.cancelled : error.message);
      }
    });
  }
})();
