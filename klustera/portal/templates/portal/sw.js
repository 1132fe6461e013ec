// Klustera's service worker (served by klustera/portal/pwa.py, one per complex).
// The app shell is cached per version; a new version installs beside the old one and
// waits until the page asks it to take over, so nothing stale mixes with new files.
const VERSION = "{{ version }}";
const SHELL_CACHE = `klustera-shell-${VERSION}`;
const PAGES_CACHE = "klustera-pages";
const SHELL = {{ shell|safe }};
const PAGES = {{ pages|safe }};
const STATIC = {{ static_prefix|safe }};
const OFFLINE = {{ offline|safe }};
importScripts({{ outbox|safe }}); // the staff outbox, sent here by Background Sync

self.addEventListener("sync", (event) => {
  if (event.tag === "klustera-outbox") event.waitUntil(self.klusteraOutbox.send({{ slug|safe }}));
});

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("klustera-shell-") && name !== SHELL_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "take-over") self.skipWaiting();
});

// A staff page: from the network, kept as last seen for when there is none.
async function page(request) {
  const cache = await caches.open(PAGES_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    return (await cache.match(request)) || (await caches.match(OFFLINE)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(STATIC)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  } else if (request.mode === "navigate" && PAGES.includes(url.pathname)) {
    event.respondWith(page(request));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  }
});

// Web Push (klustera/notifications): show it, and open its page on a click.
self.addEventListener("push", (event) => {
  const message = event.data ? event.data.json() : {};
  event.waitUntil(
    self.registration.showNotification(message.title || "Klustera", {
      body: message.body || "",
      tag: message.tag,
      icon: {{ icon|safe }},
      data: { url: message.url || self.registration.scope },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const asked = new URL(event.notification.data.url, self.registration.scope);
  const url = asked.origin === self.location.origin ? asked.href : self.registration.scope;
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then((windows) => {
      const open = windows.find((client) => client.url === url);
      return open ? open.focus() : self.clients.openWindow(url);
    }),
  );
});
