// sw.js: the service worker that makes the page work offline. The site build
// (scripts/build-site.mjs) writes it next to index.html with VERSION (a hash of the whole build)
// and PRECACHE (the page and every file it needs to recognise a digit) filled in; registered by
// app.js as ./sw.js, so its scope is the site's folder, wherever that is served from.
//
//   install    keeps every PRECACHE file in the cache "digits-<VERSION>"
//   activate   deletes the caches of other builds, and takes over the open pages
//   fetch      the page: network first (a new build shows when online), the cached copy offline;
//              other files of the site: the cache first (their folder's name has the build's hash,
//              so they never change), else the network, keeping what it gives (the bundled
//              training data is kept this way, on first use)
// A new build's worker waits until the page asks it to take over ({ type: 'skip-waiting' }),
// which app.js does when the person presses Reload on its "new version" banner.

const VERSION = '%VERSION%';
const PRECACHE = ['%PRECACHE%'];
const CACHE = `digits-${VERSION}`;
const PAGE = new URL('./', self.location).href; // the page, however it was asked for

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('digits-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || !url.href.startsWith(PAGE)) return;
  event.respondWith(request.mode === 'navigate' ? page(event, url) : file(event));
});

async function page(event, url) {
  const { request } = event;
  const cache = await caches.open(CACHE);
  const isPage = url.href === PAGE || url.href === `${PAGE}index.html`;
  try {
    const response = await fetch(request);
    if (response.ok && isPage) event.waitUntil(cache.put(PAGE, response.clone()));
    return response;
  } catch (err) {
    const cached = await cache.match(isPage ? PAGE : request, { ignoreSearch: true });
    if (cached) return cached;
    throw err;
  }
}

async function file(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request);
  if (cached) return cached;
  const response = await fetch(event.request);
  if (response.status === 200) event.waitUntil(cache.put(event.request, response.clone()));
  return response;
}
