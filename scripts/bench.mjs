#!/usr/bin/env node
// npm run bench: how fast digits is, against what a web developer would use instead, on this
// machine, in one process tree: training throughput (native C, our wasm, TensorFlow.js-wasm),
// recognition latency, CSV parsing (PapaParse, d3-dsv) and the page's weight and start-up
// (headless Chromium), and a frame of the page while a person draws. Prints a table, writes docs/benchmarks.{md,json} and the table in
// README.md between <!-- bench:start --> and <!-- bench:end -->.
//
//   node scripts/bench.mjs                 the full run (about 5 minutes on 2 cores)
//   node scripts/bench.mjs --quick         a smoke run: few repeats, small inputs; writes to a
//                                          temporary folder, not docs/ or README.md
//   --only training,latency,csv,page,frame some parts only (then also written to a temporary folder)
//   --out DIR                              where to write benchmarks.{md,json} (README.md is
//                                          updated only when DIR is the project's docs/)
//   --no-readme                            leave README.md alone
//   --model DIR                            recognition latency with the model in DIR (four .npy files
//                                          and calibration.txt) instead of model/, to compare hidden
//                                          sizes (then written to a temporary folder)
//
// Each measurement runs in its own Node process (scripts/bench/child.mjs) or native binary; parts
// that compare alternate the contenders, so a busy machine slows both alike. The load average is
// recorded before and after each part. Helpers live in scripts/bench/.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, loadAverage } from './bench/machine.mjs';
import { compileNative, nativeRun } from './bench/training.mjs';
import { writeKaggleFile } from './bench/csv.mjs';
import { analyse, markdown, readmeTable, terminalTable, updateReadme } from './bench/report.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PARTS = ['training', 'latency', 'csv', 'page', 'frame'];

// How much of each part a run does.
const PLANS = {
  full: {
    training: { hiddens: [128, 256], rounds: 4, nativeEpochs: 3, oursEpochs: 3, tfEpochs: 2, tfMeasureBatches: null, marchNative: true },
    latency: { calls: 10000, warmup: 3000, blocks: 10 },
    csv: { rows: 42000, reps: 5 },
    page: { loads: 7, throttledLoads: 3, trainEpochs: 4 },
    frame: { perDigit: 1 },
  },
  quick: {
    training: { hiddens: [128, 256], rounds: 1, nativeEpochs: 1, oursEpochs: 1, tfEpochs: 1, tfMeasureBatches: 20, marchNative: false },
    latency: { calls: 1000, warmup: 200, blocks: 4 },
    csv: { rows: 2000, reps: 1 },
    page: { loads: 1, throttledLoads: 1, trainEpochs: 2 },
    frame: { perDigit: 1, rates: [1], every: 8 },
  },
};

function parseArgs(argv) {
  const opts = { quick: false, only: PARTS, out: null, readme: true, model: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--no-readme') opts.readme = false;
    else if (a === '--out' && argv[i + 1]) opts.out = resolve(argv[++i]);
    else if (a === '--model' && argv[i + 1]) opts.model = resolve(argv[++i]);
    else if (a === '--only' && argv[i + 1]) {
      opts.only = argv[++i].split(',').map((s) => s.trim()).filter(Boolean);
      const bad = opts.only.find((p) => !PARTS.includes(p));
      if (bad) throw new Error(`--only: unknown part '${bad}' (parts: ${PARTS.join(', ')})`);
    } else if (a === '--help' || a === '-h') {
      console.log(`usage: node scripts/bench.mjs [--quick] [--only ${PARTS.join(',')}] [--out DIR] [--no-readme] [--model DIR]`);
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (try --help)`);
  }
  return opts;
}

const log = (...args) => console.error('bench:', ...args);

/** Runs fn(args) of scripts/bench/<file> in a new Node process; resolves to its JSON result. */
function child(file, fn, args, nodeFlags = []) {
  return new Promise((resolveRun, reject) => {
    const p = spawn(process.execPath, [...nodeFlags, join(ROOT, 'scripts', 'bench', 'child.mjs'), file, fn, JSON.stringify(args)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${file} ${fn} exited with code ${code}`));
      try {
        resolveRun(JSON.parse(out.trim().split('\n').at(-1)));
      } catch (err) {
        reject(new Error(`${file} ${fn} printed no result: ${err.message}`));
      }
    });
  });
}

function prerequisites() {
  const notes = [];
  if (['digits_wasm', 'digits_recognizer'].some((m) => ['js', 'wasm'].some((ext) => !existsSync(join(ROOT, 'build-wasm', `${m}.${ext}`))))) {
    log('build-wasm/ is missing: building it (npm run build:wasm)');
    execFileSync('bash', ['scripts/build-wasm.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  if (!existsSync(join(ROOT, 'data', 'train.csv')) || !existsSync(join(ROOT, 'data', 'holdout.csv'))) {
    log('data/ is missing: preparing it (npm run data)');
    execFileSync(process.execPath, ['scripts/prepare-data.mjs'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const wasmTime = statSync(join(ROOT, 'build-wasm', 'digits_wasm.wasm')).mtimeMs;
  const newer = ['src', 'CMakeLists.txt'].flatMap((p) => {
    const path = join(ROOT, p);
    if (!statSync(path).isDirectory()) return statSync(path).mtimeMs > wasmTime ? [p] : [];
    return readdirSync(path).filter((f) => /\.[ch]$/.test(f) && statSync(join(path, f)).mtimeMs > wasmTime).map((f) => `${p}/${f}`);
  });
  if (newer.length) {
    notes.push(`build-wasm/ is older than ${newer.join(', ')}: the wasm figures are of the last build (npm run build:wasm)`);
    log(`warning: ${notes.at(-1)}`);
  }
  return { notes, wasmBuiltAt: new Date(wasmTime).toISOString(), source: sourceState() };
}

// The commit measured, and whether the sources differ from it.
function sourceState() {
  const git = (...args) => execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  try {
    const changed = git('status', '--porcelain', '--', 'src', 'web', 'CMakeLists.txt', 'model').split('\n').filter(Boolean).length;
    return { commit: git('rev-parse', '--short', 'HEAD'), changedFiles: changed };
  } catch {
    return { commit: null, changedFiles: null };
  }
}

async function runTraining(plan, scratch) {
  const csv = join(ROOT, 'data', 'train.csv');
  const { hiddens } = plan;
  const builds = [{ name: 'native', flags: [], ...compileNative(join(scratch, 'train_native')) }];
  if (plan.marchNative) {
    try {
      builds.push({ name: 'native-march', flags: ['-march=native'], ...compileNative(join(scratch, 'train_native_march'), ['-march=native']) });
    } catch (err) {
      log(`-march=native build failed, skipped: ${err.message}`);
    }
  }
  const native = Object.fromEntries(builds.map((b) => [b.name, []]));
  const ours = [], tf = [];
  let tfSetup = null;
  for (let round = 1; round <= plan.rounds; round++) {
    log(`training, round ${round} of ${plan.rounds} (load ${loadAverage().one})`);
    for (const b of builds) native[b.name].push(...nativeRun({ binary: b.binary, csv, hiddens, warmup: 1, epochs: plan.nativeEpochs }));
    ours.push(...await child('training.mjs', 'oursRun', { csv, hiddens, warmup: 1, epochs: plan.oursEpochs }));
    const t = await child('training.mjs', 'tfRun', { csv, hiddens, epochs: plan.tfEpochs, measureBatches: plan.tfMeasureBatches });
    tf.push(...t.results);
    tfSetup = t.setup;
  }
  return { csv: relative(ROOT, csv), plan, builds: builds.map(({ name, flags, command }) => ({ name, flags, command })), native, ours, tf, tfSetup };
}

// The npm command that makes a run like this one.
function commandLine(quick, only, model) {
  const args = [...(quick ? ['--quick'] : []), ...(only ? ['--only', only.join(',')] : []), ...(model ? ['--model', model] : [])];
  return `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const mode = opts.quick ? 'quick' : 'full';
  const plan = PLANS[mode];
  const complete = opts.only.length === PARTS.length;
  const docs = join(ROOT, 'docs');
  const out = opts.out ?? (mode === 'full' && complete && !opts.model ? docs : join(tmpdir(), `digits-bench-${mode}`));
  const started = Date.now();
  const machine = describeMachine(ROOT);
  log(`${mode} run of ${opts.only.join(', ')}; ${machine.cpu.model} (${machine.cpu.microarchitecture}), ${machine.cpu.cores} cores, ` +
    `load average ${machine.load.one} ${machine.load.five} ${machine.load.fifteen}`);
  if (machine.load.one > machine.cpu.cores / 2) log(`warning: the machine is busy (load ${machine.load.one} on ${machine.cpu.cores} cores): figures will be low and noisy`);
  const pre = prerequisites();
  const scratch = mkdtempSync(join(tmpdir(), 'digits-bench-'));
  const results = {};
  const loads = {};
  try {
    for (const part of opts.only) {
      const before = loadAverage();
      const t0 = Date.now();
      log(`${part}...`);
      if (part === 'training') results.training = await runTraining(plan.training, scratch);
      else if (part === 'latency') results.latency = await child('latency.mjs', 'latencyRun', { ...plan.latency, modelDir: opts.model ?? undefined });
      else if (part === 'csv') {
        const file = join(scratch, 'kaggle-train.csv');
        const made = writeKaggleFile(file, plan.csv.rows);
        results.csv = { ...await child('csv.mjs', 'csvRun', { file, reps: plan.csv.reps }, ['--expose-gc', '--max-old-space-size=6144']), sourceRows: made.sourceRows };
        rmSync(file, { force: true });
      } else if (part === 'page') results.page = await child('page.mjs', 'pageRun', plan.page);
      else if (part === 'frame') results.frame = await child('frame.mjs', 'frameRun', plan.frame);
      loads[part] = { before, after: loadAverage(), seconds: (Date.now() - t0) / 1000 };
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const report = analyse({
    schema: 1,
    date: new Date().toISOString(),
    mode,
    parts: opts.only,
    command: commandLine(opts.quick, complete ? null : opts.only, opts.model),
    seconds: (Date.now() - started) / 1000,
    machine: { ...machine, loadAtEnd: loadAverage() },
    loads,
    notes: pre.notes,
    wasmBuiltAt: pre.wasmBuiltAt,
    source: pre.source,
    raw: results,
  });
  console.log(terminalTable(report));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'benchmarks.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'benchmarks.md'), markdown(report));
  log(`wrote ${relative(process.cwd(), join(out, 'benchmarks.md')) || out} and benchmarks.json`);
  if (opts.readme && resolve(out) === docs) {
    updateReadme(join(ROOT, 'README.md'), readmeTable(report));
    log('updated the table in README.md');
  }
  log(`done in ${Math.round(report.seconds)} s`);
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
