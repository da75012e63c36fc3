#!/usr/bin/env node
// A tiny static file server for dist/ (no dependencies).
//
//   node scripts/serve.mjs [--root dist] [--base /digits/] [--port 8080] [--host 127.0.0.1]
//   import { startServer } from './serve.mjs';
//   const { url, close } = await startServer({ root, base: '/digits/', port: 0, gzip: false });
//
// --base mounts the site under a sub-path, as GitHub Pages does; --port 0 takes any free port.
// Without --port the server tries 8080 and falls back to a free port. gzip: true compresses the
// text files (HTML, CSS, JavaScript, SVG, JSON, the manifest) for a client that accepts gzip and
// sends the rest as it is, as static hosts do (the benchmark measures the page so).
import { createReadStream, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.npy': 'application/octet-stream',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.gz': 'application/gzip',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};
const TEXT = new Set(['.html', '.css', '.js', '.mjs', '.json', '.svg', '.webmanifest', '.txt']);

export function startServer({ root = join(REPO, 'dist'), base = '/', port = 0, host = '127.0.0.1', gzip = false } = {}) {
  root = resolve(root);
  base = `/${base.replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
  const server = createServer((req, res) => {
    handle(req, res, root, base, gzip).catch((err) => {
      if (!res.headersSent) send(res, 500, `internal error: ${err.message}`);
      else res.destroy();
    });
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolveStart({
        url: `http://${shownHost}:${server.address().port}${base}`,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
        server,
      });
    });
  });
}

async function handle(req, res, root, base, gzip) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  const { pathname } = new URL(req.url, 'http://localhost');
  if (`${pathname}/` === base) return send(res, 301, '', { Location: base });
  if (!pathname.startsWith(base)) return send(res, 404, 'not found');

  let rel;
  try {
    rel = decodeURIComponent(pathname.slice(base.length));
  } catch {
    return send(res, 400, 'bad request');
  }
  if (rel.includes('\0')) return send(res, 400, 'bad request');
  let file = resolve(root, `.${sep}${rel}`);
  if (file !== root && !file.startsWith(root + sep)) return send(res, 403, 'forbidden');

  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    if (!pathname.endsWith('/')) return send(res, 301, '', { Location: `${pathname}/` });
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return send(res, 404, 'not found');

  const type = extname(file).toLowerCase();
  const zipped = gzip && TEXT.has(type) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')
    ? gzipSync(await readFile(file), { level: 9 }) : null;
  res.writeHead(200, {
    'Content-Type': MIME[type] ?? 'application/octet-stream',
    'Content-Length': zipped ? zipped.length : info.size,
    ...(zipped ? { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } : {}),
    // Hashed asset folders never change; the page itself is always revalidated.
    'Cache-Control': relative(root, file).startsWith('assets-') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  if (zipped) return res.end(zipped);
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

function send(res, status, text, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--root') opts.root = value;
    else if (flag === '--base') opts.base = value;
    else if (flag === '--host') opts.host = value;
    else if (flag === '--port' && /^\d+$/.test(value)) opts.port = Number(value);
    else throw new Error(`bad argument ${flag} ${value} (usage: serve.mjs [--root DIR] [--base /path/] [--port N] [--host H])`);
  }
  return opts;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    let server;
    try {
      server = await startServer({ port: 8080, ...opts });
    } catch (err) {
      if (err.code !== 'EADDRINUSE' || opts.port !== undefined) throw err;
      server = await startServer({ ...opts, port: 0 }); // 8080 is taken: any free port will do
    }
    console.log(`Serving ${opts.root ?? 'dist'} at ${server.url}  (Ctrl+C to stop)`);
  } catch (err) {
    console.error(`serve: ${err.code === 'EADDRINUSE' ? 'that port is already in use' : err.message}`);
    process.exit(1);
  }
}
