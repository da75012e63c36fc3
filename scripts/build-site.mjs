#!/usr/bin/env node
// Builds the static site in dist/ from web/, the wasm build and the default model:
//
//   dist/index.html                      references ./assets-<hash>/app.js, style.css, ...
//   dist/manifest.webmanifest            web/manifest.webmanifest, its icons in the assets folder
//   dist/sw.js                           web/sw.js, the service worker, with the build's version and
//                                        the files to keep for offline use filled in
//   dist/assets-<hash>/                  web/* (but the three above), the two WebAssembly modules
//                                        digits_recognizer.{js,wasm} (the page's) and
//                                        digits_wasm.{js,wasm} (the worker's), model/model.pack (the
//                                        default model/*.npy packed, losslessly: src/pack.h) and
//                                        any other file of model/ but its documentation
//                                        (calibration.txt: model/'s, or the default written out),
//                                        icon-{192,512}.png (drawn from web/icon.svg),
//                                        data/{train,holdout}.csv.gz (the bundled data for training
//                                        in the page; made by scripts/prepare-data.mjs if missing)
//
// <hash> covers all the assets, so a browser never mixes files of two builds. The service worker's
// cache is named after a hash of everything written (the version), so each new build installs a
// new cache and drops the old one. Every URL is relative, so the site works from any sub-path
// (GitHub Pages serves it at /<repo>/).
//
//   node scripts/build-site.mjs [--out DIR] [--root DIR]
//   import { buildSite } from './build-site.mjs'; await buildSite({ root, out, quiet })
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { iconPng } from './icons.mjs';
import { Recognizer } from '../web/recognizer.js';
import { createModule, exportModel, loadModel, loadPackedModel, packModel } from '../web/wasm.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODEL_FILES = ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'];
const CALIBRATION_FILE = 'calibration.txt'; // how the model says "not a digit" (src/calibration.h)
const MODEL_DOCS = /\.md$|^learning-curve\./; // model/'s documentation, which the site leaves out
const WASM_FILES = ['digits_recognizer.js', 'digits_recognizer.wasm', 'digits_wasm.js', 'digits_wasm.wasm'];
const DATA_FILES = ['train.csv', 'holdout.csv']; // served gzipped: see BUNDLED_DATA in web/defaults.js
const ROOT_FILES = ['index.html', 'manifest.webmanifest', 'sw.js']; // web/ files next to the assets folder
const ICON_SIZES = [192, 512];

export async function buildSite({ root = REPO, out = join(root, 'dist'), quiet = false } = {}) {
  const assets = await collectAssets(root); // Map: path inside the assets folder -> bytes
  const hash = contentHash(assets);
  const dir = `assets-${hash}`;

  let html = readFileSync(join(root, 'web', 'index.html'), 'utf8');
  html = html.replace(/\b(src|href)="(?:\.\/)?([^"]+)"/g, (all, attr, path) =>
    assets.has(path) ? `${attr}="./${dir}/${path}"` : all);
  html = html.replace(/(<meta name="source-url" content=")[^"]*(">)/,
    (all, before, after) => before + escapeHtml(sourceUrl(root)) + after);

  const manifest = JSON.parse(readFileSync(join(root, 'web', 'manifest.webmanifest'), 'utf8'));
  for (const icon of manifest.icons ?? []) {
    if (!assets.has(icon.src)) throw new Error(`web/manifest.webmanifest: icon ${icon.src} is not among the assets`);
    icon.src = `${dir}/${icon.src}`;
  }
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;

  // The service worker keeps the page and everything it needs to recognise a digit; the bundled
  // training data is kept on first use instead (it is large, and only training needs it).
  const precache = ['./', 'manifest.webmanifest', ...[...assets.keys()].filter((p) => !p.startsWith('data/')).map((p) => `${dir}/${p}`)];
  const version = contentHash(new Map([['', Buffer.from(hash)], ['index.html', Buffer.from(html)],
    ['manifest.webmanifest', Buffer.from(manifestText)], ['precache', Buffer.from(precache.join('\n'))],
    ['sw.js', readFileSync(join(root, 'web', 'sw.js'))]]));
  const sw = fillIn(readFileSync(join(root, 'web', 'sw.js'), 'utf8'), {
    "'%VERSION%'": JSON.stringify(version),
    "['%PRECACHE%']": JSON.stringify(precache, null, 2).replace(/"/g, "'"),
  });

  if (resolve(out) === resolve(root)) throw new Error('the output folder cannot be the project root');
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(out)) rmSync(join(out, name), { recursive: true, force: true });
  const written = [['index.html', Buffer.from(html)], ['manifest.webmanifest', Buffer.from(manifestText)], ['sw.js', Buffer.from(sw)]];
  for (const [path, bytes] of assets) written.push([`${dir}/${path}`, bytes]);
  for (const [path, bytes] of written) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), bytes);
  }
  if (!quiet) report(out, written);
  return { out, assetsDir: dir, version, precache, files: written.map(([path]) => path) };
}

// Replaces each placeholder (which must be there, once) with its value.
function fillIn(text, values) {
  for (const [placeholder, value] of Object.entries(values)) {
    if (text.split(placeholder).length !== 2) throw new Error(`web/sw.js: expected ${placeholder} once`);
    text = text.replace(placeholder, () => value);
  }
  return text;
}

async function collectAssets(root) {
  const need = (path, hint) => {
    if (!existsSync(join(root, path))) throw new Error(`missing ${path}: ${hint}`);
    return join(root, path);
  };
  const assets = new Map();
  for (const file of walk(need('web', 'the site sources are not there'))) {
    const path = relative(join(root, 'web'), file).split(sep).join('/');
    if (!ROOT_FILES.includes(path)) assets.set(path, readFileSync(file));
  }
  for (const name of ROOT_FILES) need(`web/${name}`, 'the site sources are incomplete');
  const svg = readFileSync(need('web/icon.svg', 'the icon is not there'), 'utf8');
  for (const size of ICON_SIZES) assets.set(`icon-${size}.png`, iconPng(svg, size));
  for (const name of WASM_FILES) {
    assets.set(name, readFileSync(need(`build-wasm/${name}`, 'run `npm run build:wasm` first')));
  }
  const npy = MODEL_FILES.map((name) => readFileSync(need(`model/${name}`, 'the default model belongs in model/ (see its README)')));
  const packed = await packDefaultModel(root, npy);
  assets.set('model/model.pack', packed);
  for (const name of readdirSync(join(root, 'model'))) {
    if (!MODEL_FILES.includes(name) && !MODEL_DOCS.test(name) && statSync(join(root, 'model', name)).isFile()) {
      assets.set(`model/${name}`, readFileSync(join(root, 'model', name)));
    }
  }
  // The page fetches calibration.txt beside model.pack: a model without one gets it written out as
  // the default, so the page asks for nothing that is not there; one that is there is checked.
  assets.set(`model/${CALIBRATION_FILE}`, await calibrationText(root, packed, assets.get(`model/${CALIBRATION_FILE}`)));
  prepareData(root);
  for (const name of DATA_FILES) {
    const csv = readFileSync(need(`data/${name}`, 'run `node scripts/prepare-data.mjs` first'));
    assets.set(`data/${name}.gz`, gzipSync(csv, { level: 9 })); // gzip's header has no time: same bytes every build
  }
  return new Map([...assets].sort(([a], [b]) => (a < b ? -1 : 1)));
}

// The four .npy files (bytes, in MODEL_FILES' order) as a packed model (src/pack.h), by the worker's
// module in build-wasm/; checked to give back exactly the model the .npy files hold before it is used.
/** calibration.txt as the page's recogniser reads it for the packed model (the default when
 * `given` is missing); throws, naming the line, when `given` is bad. */
async function calibrationText(root, packed, given) {
  const { default: factory } = await import(pathToFileURL(join(root, 'build-wasm', 'digits_recognizer.js')).href);
  const rec = await Recognizer.create(factory, readFileSync(join(root, 'build-wasm', 'digits_recognizer.wasm')));
  try {
    rec.loadPackedModel(packed, 'model.pack', given ?? null);
    return Buffer.from(rec.calibration);
  } catch (err) {
    throw new Error(`model/${CALIBRATION_FILE}: ${err.message}`);
  } finally {
    rec.dispose();
  }
}

export async function packDefaultModel(root, npy) {
  const { default: factory } = await import(pathToFileURL(join(root, 'build-wasm', 'digits_wasm.js')).href);
  const mod = await createModule(factory, readFileSync(join(root, 'build-wasm', 'digits_wasm.wasm')));
  const model = loadModel(mod, Object.fromEntries(MODEL_FILES.map((name, i) => [name, npy[i]])));
  let packed = null, back = 0;
  try {
    packed = Buffer.from(packModel(mod, model));
    back = loadPackedModel(mod, packed, 'model.pack');
    const [a, b] = [model, back].map((m) => exportModel(mod, m, 4));
    if (MODEL_FILES.some((name) => Buffer.compare(a[name], b[name]) !== 0)) throw new Error('model.pack does not give back model/*.npy exactly');
  } finally {
    mod._dg_model_free(model);
    if (back) mod._dg_model_free(back);
  }
  return packed;
}

// data/train.csv and data/holdout.csv come from scripts/prepare-data.mjs (which keeps files already there).
function prepareData(root) {
  if (DATA_FILES.every((name) => existsSync(join(root, 'data', name)))) return;
  try {
    execFileSync(process.execPath, [join(REPO, 'scripts', 'prepare-data.mjs'), '--out', join(root, 'data')],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const why = err.stderr?.toString().trim() || err.message;
    throw new Error(`data/ has no ${DATA_FILES.join(' and ')} and scripts/prepare-data.mjs could not make them: ${why}`);
  }
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name), info = statSync(path);
    if (info.isDirectory()) yield* walk(path);
    else if (info.isFile()) yield path;
  }
}

function contentHash(assets) {
  const h = createHash('sha256');
  for (const [path, bytes] of assets) h.update(`${path}\0${bytes.length}\0`).update(bytes);
  return h.digest('hex').slice(0, 10);
}

// package.json's repository URL, else the git remote "origin", as a browsable https URL; or ''.
function sourceUrl(root) {
  let url = '';
  try {
    const { repository } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    url = typeof repository === 'string' ? repository : repository?.url ?? '';
  } catch { /* no package.json: fall through */ }
  if (!url) {
    try {
      url = execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch { /* not a git checkout, or no origin */ }
  }
  url = url.replace(/^git\+/, '').replace(/^github:/, 'https://github.com/')
    .replace(/^git@([^:]+):/, 'https://$1/').replace(/^(ssh|git):\/\/(git@)?/, 'https://').replace(/\.git$/, '');
  return /^https?:\/\//.test(url) ? url : '';
}

function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function report(out, written) {
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`.padStart(10);
  let size = 0, gz = 0;
  console.log(`wrote ${relative(process.cwd(), out) || '.'}/`);
  for (const [path, bytes] of written) {
    const z = path.endsWith('.gz') ? bytes.length : gzipSync(bytes, { level: 9 }).length;
    size += bytes.length;
    gz += z;
    console.log(`  ${path.padEnd(48)}${kb(bytes.length)}${kb(z)} gzip`);
  }
  console.log(`  ${`${written.length} files`.padEnd(48)}${kb(size)}${kb(gz)} gzip`);
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--out') opts.out = resolve(value), i++;
    else if (flag === '--root') opts.root = resolve(value), i++;
    else throw new Error(`unknown argument ${flag} (usage: build-site.mjs [--out DIR] [--root DIR])`);
  }
  return opts;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildSite(parseArgs(process.argv.slice(2))).catch((err) => {
    console.error(`build-site: ${err.message}`);
    process.exit(1);
  });
}
