// report.mjs: turns the raw measurements of scripts/bench.mjs into figures (medians, ratios,
// GFLOP/s, targets) and writes them as a terminal table, docs/benchmarks.md and the short table
// in README.md (between <!-- bench:start --> and <!-- bench:end -->).
//
//   const report = analyse(run);    // run: { raw: { training, latency, csv, page }, machine, ... }
//   terminalTable(report); markdown(report); readmeTable(report); updateReadme(path, table)
import { readFileSync, writeFileSync } from 'node:fs';
import { fmt, fmtBytes, fmtRatio, summarize } from './stats.mjs';
import { frameTable, quantile } from './frame.mjs';

export const TARGETS = {
  trainingVsTf: 10,    // our wasm training ≥ 10× TF.js-wasm
  latencyVsTf: 20,     // recognising one digit ≥ 20× faster
  csvVsPapa: 3,        // CSV parsing ≥ 3× PapaParse
  pageSentBytes: 450e3, // what the page transfers before its first prediction, binary files uncompressed
  readyMs: 1000,       // navigation to ready-to-predict, localhost
  frameMs: { 1: 0.5, 4: 2 }, // the page's frame while drawing, median, by CPU throttling rate
};

// FLOPs a training sample executes in the 784-H-10 network (2 FLOPs per multiply-add): the
// kernels skip zero pixels, so the first layer costs nnz·H forward and nnz·H for its weight
// gradient; the second layer 10·H forward, 10·H for its gradient and 10·H back into the hidden
// layer. Biases, ReLU, softmax and the Adam update are not counted.
export const executedFlops = (H, nnz) => 2 * H * (2 * nnz + 30);

export function analyse(run) {
  const summary = {};
  const targets = [];
  const { raw, machine } = run;
  if (raw.training) {
    summary.training = trainingSummary(raw.training, machine.cpu);
    for (const t of summary.training.hiddens) {
      targets.push({
        name: `training 784-${t.hidden}-10, our wasm vs TF.js-wasm`, target: `≥ ${TARGETS.trainingVsTf}×`,
        value: t.ratios.oursVsTf, shown: fmtRatio(t.ratios.oursVsTf), met: t.ratios.oursVsTf >= TARGETS.trainingVsTf,
      });
    }
  }
  if (raw.latency) {
    const l = raw.latency;
    summary.latency = {
      hidden: l.hidden, calls: l.calls, oursUs: l.ours.median, theirsUs: l.theirs.median, speedup: l.speedup,
      integer: l.integer, floatUs: l.oursFloat?.median, speedupFloat: l.speedupFloat,
      sameAnswers: `${l.check.agree} of ${l.check.of}`, maxAbsDiff: l.check.maxAbsDiff,
    };
    targets.push({
      name: 'recognising one digit, our wasm vs TF.js-wasm', target: `≥ ${TARGETS.latencyVsTf}× faster`,
      value: l.speedup, shown: fmtRatio(l.speedup), met: l.speedup >= TARGETS.latencyVsTf,
    });
  }
  if (raw.csv) {
    const c = raw.csv;
    const parsers = Object.fromEntries(Object.entries(c.seconds).map(([name, secs]) => {
      const s = summarize(secs);
      return [name, { seconds: s, mbPerSec: c.bytes / 1e6 / s.median, rowsPerSec: c.rows / s.median }];
    }));
    summary.csv = {
      bytes: c.bytes, rows: c.rows, reps: c.reps, chunk: c.chunk, decodeSeconds: c.decodeSeconds, parsers,
      oursVsPapa: parsers.ours && parsers.papaparse ? parsers.ours.mbPerSec / parsers.papaparse.mbPerSec : null,
      oursVsD3: parsers.ours && parsers.d3 ? parsers.ours.mbPerSec / parsers.d3.mbPerSec : null,
    };
    targets.push({
      name: 'CSV parsing, our wasm vs PapaParse', target: `≥ ${TARGETS.csvVsPapa}×`,
      value: summary.csv.oursVsPapa, shown: fmtRatio(summary.csv.oursVsPapa), met: summary.csv.oursVsPapa >= TARGETS.csvVsPapa,
    });
  }
  if (raw.page) {
    const p = raw.page;
    const training = p.training.status === 'measured' ? p.training.results.map((r) => {
      const later = r.epochSeconds.length > 1 ? r.epochSeconds.slice(1) : r.epochSeconds; // the first epoch warms up
      const s = summarize(later);
      return { name: r.name, label: r.label, epochSeconds: s, samplesPerSec: r.trainCount / s.median, firstEpochSeconds: r.epochSeconds[0],
        dataLoadMs: r.loadMs, trainCount: r.trainCount, valAccuracy: r.valAccuracy };
    }) : null;
    summary.page = {
      gzip: p.ours.gzip, raw: p.ours.raw, sent: p.ours.sent, modelSent: p.ours.model.sent, modelGzip: p.ours.model.gzip,
      modelRaw: p.ours.model.raw, files: p.ours.files.length,
      readyMs: p.ready.median, readyRange: [p.ready.min, p.ready.max], loads: p.ready.n, drawableMs: p.drawable?.median ?? null,
      throttle: p.throttle, throttledMs: p.throttled?.ready.median ?? null, throttledDrawableMs: p.throttled?.drawable?.median ?? null,
      throttledRange: p.throttled ? [p.throttled.ready.min, p.throttled.ready.max] : null, throttledLoads: p.throttled?.ready.n ?? 0,
      tfLoadedGzip: p.theirs.loaded.gzip, tfLoadedRaw: p.theirs.loaded.raw, tfLoadedSent: p.theirs.loaded.sent,
      tfShippedGzip: p.theirs.shipped.gzip, tfShippedRaw: p.theirs.shipped.raw,
      training, trainingStatus: p.training.status, trainingReason: p.training.reason ?? null,
    };
    targets.push({
      name: 'bytes the page transfers before its first prediction (.wasm and .pack as they are, text gzipped)',
      target: `≤ ${fmtBytes(TARGETS.pageSentBytes)}`, value: p.ours.sent, shown: fmtBytes(p.ours.sent), met: p.ours.sent <= TARGETS.pageSentBytes,
    });
    targets.push({
      name: 'navigation to ready-to-predict (median of cold loads, localhost)', target: `< ${fmt(TARGETS.readyMs, 0)} ms`,
      value: p.ready.median, shown: `${fmt(p.ready.median, 0)} ms`, met: p.ready.median < TARGETS.readyMs,
    });
  }
  if (raw.frame) {
    summary.frame = raw.frame.runs.map((r) => ({
      rate: r.rate, frameMs: quantile(r.frames.us, 0.5) / 1000, frameP90Ms: quantile(r.frames.us, 0.9) / 1000,
      strokesMs: quantile(r.paths.strokes, 0.5) / 1000, imageMs: quantile(r.paths.image, 0.5) / 1000, tfjsMs: quantile(r.paths.tfjs, 0.5) / 1000,
    }));
    for (const f of summary.frame.filter((x) => TARGETS.frameMs[x.rate])) {
      targets.push({
        name: `the page's frame while drawing, CPU ${f.rate}× (median; 90th percentile ${fmt(f.frameP90Ms, 2)} ms)`, target: `≤ ${TARGETS.frameMs[f.rate]} ms`,
        value: f.frameMs, shown: `${fmt(f.frameMs, 3)} ms`, met: f.frameMs <= TARGETS.frameMs[f.rate],
      });
    }
  }
  return { ...run, summary, targets };
}

function trainingSummary(t, cpu) {
  const first = t.native.native[0];
  const nnz = first.meanInked, rows = first.rows;
  const peaks = cpu.peaks;
  const hiddens = t.plan.hiddens.map((H) => {
    const executed = executedFlops(H, nnz);
    const stats = (samples, peak) => {
      const s = summarize(samples);
      const gflops = (s.median * executed) / 1e9;
      return { samplesPerSec: s, gflops, percentOfPeak: peak?.gflops ? (100 * gflops) / peak.gflops : null };
    };
    const of = (list, pred = () => true) => list.filter((r) => r.hidden === H && pred(r)).flatMap((r) => r.samplesPerSec);
    const native = stats(of(t.native.native), peaks.hardware);
    const march = t.native['native-march'] ? stats(of(t.native['native-march']), peaks.hardware) : null;
    const ours = stats(of(t.ours), peaks.wasm);
    const tfFit = stats(of(t.tf, (r) => r.variant === 'fit'));
    const tfLoop = stats(of(t.tf, (r) => r.variant === 'loop'));
    const tfBest = tfFit.samplesPerSec.median >= tfLoop.samplesPerSec.median ? 'fit' : 'loop';
    const tf = tfBest === 'fit' ? tfFit : tfLoop;
    return {
      hidden: H, flopsPerSample: executed, native, nativeMarch: march, ours, tfFit, tfLoop, tfBest,
      ratios: {
        oursVsTf: ours.samplesPerSec.median / tf.samplesPerSec.median,
        oursVsTfFit: ours.samplesPerSec.median / tfFit.samplesPerSec.median,
        oursVsTfLoop: ours.samplesPerSec.median / tfLoop.samplesPerSec.median,
        nativeVsOurs: native.samplesPerSec.median / ours.samplesPerSec.median,
      },
    };
  });
  return { rows, meanInked: nnz, inkedFraction: nnz / 784, csv: t.csv, plan: t.plan, builds: t.builds, tf: t.tfSetup, hiddens };
}

// ---- output ----

// A Markdown table; the first column left-aligned, the others right-aligned (numbers) unless `left`.
const table = (head, rows, left = false) => [
  `| ${head.join(' | ')} |`,
  `|${head.map((h, i) => (i === 0 || left ? '---' : '---:')).join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');

const mark = (met) => (met === true ? 'yes' : met === false ? '**no**' : '—');

function mainRows(r) {
  const rows = [];
  const s = r.summary;
  for (const t of s.training?.hiddens ?? []) {
    rows.push([`Training 784-${t.hidden}-10, batch 64 (samples/s): our wasm vs TF.js-wasm (${t.tfBest === 'fit' ? 'model.fit' : 'own loop'})`,
      fmt(t.ours.samplesPerSec.median), fmt(t[t.tfBest === 'fit' ? 'tfFit' : 'tfLoop'].samplesPerSec.median), fmtRatio(t.ratios.oursVsTf)]);
  }
  for (const t of s.training?.hiddens ?? []) {
    rows.push([`Training 784-${t.hidden}-10, native C (samples/s; executed GFLOP/s, share of one core's fp32 peak)`,
      `${fmt(t.native.samplesPerSec.median)} (${fmt(t.native.gflops, 1)} GFLOP/s, ${fmt(t.native.percentOfPeak, 0)}%)`, '', '']);
  }
  if (s.latency) {
    rows.push([`Recognising one digit, 784-${s.latency.hidden}-10 (µs, median): Recognizer.predict vs model.predict${s.latency.integer ? ' (integer first layer)' : ''}`,
      fmt(s.latency.oursUs, 1), fmt(s.latency.theirsUs, 1), `${fmtRatio(s.latency.speedup)} faster`]);
    if (s.latency.floatUs != null) rows.push(['… the same, our float kernels only (any model off the grid)',
      fmt(s.latency.floatUs, 1), fmt(s.latency.theirsUs, 1), `${fmtRatio(s.latency.speedupFloat)} faster`]);
  }
  if (s.csv) {
    const p = s.csv.parsers;
    rows.push([`Parsing a ${fmtBytes(s.csv.bytes)} Kaggle CSV, ${fmt(s.csv.rows, 0)} rows (MB/s): ours vs PapaParse`,
      fmt(p.ours?.mbPerSec), fmt(p.papaparse?.mbPerSec), fmtRatio(s.csv.oursVsPapa)]);
    rows.push(['… vs d3-dsv (csvParseRows + Number)', fmt(p.ours?.mbPerSec), fmt(p.d3?.mbPerSec), fmtRatio(s.csv.oursVsD3)]);
  }
  if (s.page) {
    rows.push(['Bytes transferred before the first prediction, binary files as they are, text gzipped (ours incl. model; TF.js: its files alone)',
      fmtBytes(s.page.sent), fmtBytes(s.page.tfLoadedSent), '']);
    rows.push(['Navigation to ready-to-predict, cold load, localhost (ms, median)', fmt(s.page.readyMs, 0), '', '']);
    if (s.page.throttledMs != null) rows.push([`… on a throttled connection, ${throttleText(s.page.throttle)} (ms, median)`, fmt(s.page.throttledMs, 0), '', '']);
    if (s.page.throttledDrawableMs != null) rows.push(['… the pad drawable, "Loading the model…" shown, on that connection (DOMContentLoaded; ms, median)', fmt(s.page.throttledDrawableMs, 0), '', '']);
    for (const t of s.page.training ?? []) {
      rows.push([`One training epoch in Chromium's worker, ${t.label} (s)`, fmt(t.epochSeconds.median, 2), '', '']);
    }
    if (!s.page.training) rows.push(['One training epoch in Chromium\'s worker', s.page.trainingStatus, '', '']);
  }
  for (const f of s.frame ?? []) {
    rows.push([`A frame while drawing, CPU ${f.rate}× (ms, median): strokes -> input -> probabilities vs a TF.js demo (fromPixels + resizeBilinear + predict)`,
      fmt(f.strokesMs, 3), fmt(f.tfjsMs, 3), `${fmtRatio(f.tfjsMs / f.strokesMs)} faster`]);
  }
  return rows;
}

const throttleText = (t) => `${fmt(t.downloadKbps / 1000, 1)} Mbit/s down, ${fmt(t.uploadKbps, 0)} kbit/s up, ${fmt(t.latencyMs, 0)} ms latency`;

const emccVersion = (line) => (line ? `emcc ${line.match(/\b(\d+\.\d+\.\d+)\b/)?.[1] ?? line}` : 'no emcc');

export function terminalTable(r) {
  const lines = [
    '',
    `digits benchmarks (${r.mode} run), ${r.date.slice(0, 16).replace('T', ' ')} UTC`,
    `${r.machine.cpu.model} (${r.machine.cpu.microarchitecture}), ${r.machine.cpu.cores} cores, ${fmt(r.machine.memoryBytes / 2 ** 30, 1)} GiB, ` +
      `${r.machine.os}, Node ${r.machine.node}, ${emccVersion(r.machine.emcc)}`,
    `load average at start ${r.machine.load.one}, at end ${r.machine.loadAtEnd.one}`,
    '',
    table(['measure', 'ours', 'theirs', 'ours/theirs'], mainRows(r)),
    '',
    table(['target', 'wanted', 'measured', 'met'], r.targets.map((t) => [t.name, t.target, t.shown, mark(t.met)])),
    '',
  ];
  return lines.join('\n');
}

export function readmeTable(r) {
  const s = r.summary;
  const rows = [];
  for (const t of s.training?.hiddens ?? []) {
    rows.push([`Training 784-${t.hidden}-10, batch 64, in Node (samples/s)`, fmt(t.ours.samplesPerSec.median), fmt(t[t.tfBest === 'fit' ? 'tfFit' : 'tfLoop'].samplesPerSec.median), fmtRatio(t.ratios.oursVsTf)]);
  }
  if (s.latency) rows.push([`Recognising one digit, the default 784-${s.latency.hidden}-10 model (µs, median)`, fmt(s.latency.oursUs, 1), fmt(s.latency.theirsUs, 1), `${fmtRatio(s.latency.speedup)} faster`]);
  if (s.latency?.floatUs != null) rows.push(['… with our float kernels only (a model off the integer grid)', fmt(s.latency.floatUs, 1), fmt(s.latency.theirsUs, 1), `${fmtRatio(s.latency.speedupFloat)} faster`]);
  if (s.csv) rows.push([`Parsing a ${fmtBytes(s.csv.bytes)} Kaggle CSV (MB/s; theirs: PapaParse)`, fmt(s.csv.parsers.ours?.mbPerSec), fmt(s.csv.parsers.papaparse?.mbPerSec), fmtRatio(s.csv.oursVsPapa)]);
  if (s.page) {
    rows.push(['What the page transfers before it can read a digit (.wasm, model as they are; text gzipped)', `${fmtBytes(s.page.sent)} (model: ${fmtBytes(s.page.modelSent)})`,
      `${fmtBytes(s.page.tfLoadedSent)} + the model`, '']);
    rows.push(['Page ready to read a digit, cold load on localhost', `${fmt(s.page.readyMs, 0)} ms`, '', '']);
    if (s.page.throttledMs != null) rows.push([`… on a slow connection (${throttleText(s.page.throttle)})`,
      `${fmt(s.page.throttledMs, 0)} ms${s.page.throttledDrawableMs != null ? ` (pad drawable at ${fmt(s.page.throttledDrawableMs, 0)} ms)` : ''}`, '', '']);
  }
  const native = (s.training?.hiddens ?? []).map((t) => `784-${t.hidden}-10 at ${fmt(t.native.samplesPerSec.median)} samples/s ` +
    `(the arithmetic it executes at ${fmt(t.native.percentOfPeak, 0)}% of one core's fp32 peak)`);
  return [
    table(['', 'digits (C → wasm)', 'TensorFlow.js (wasm backend)', ''], rows),
    '',
    (native.length ? `The same C code natively trains ${native.join(' and ')}. ` : '') +
    `Measured by \`${r.command}\` on ${r.date.slice(0, 10)}: ${r.machine.cpu.model} (${r.machine.cpu.microarchitecture}), ` +
    `${r.machine.cpu.cores} cores, Node ${r.machine.node}, Chromium ${(r.machine.chromium ?? '').match(/[\d.]+/)?.[0] ?? '?'}, ` +
    `load average ${r.machine.load.one} at the start (a shared machine); ` +
    `how, and every figure: [docs/benchmarks.md](docs/benchmarks.md).`,
  ].join('\n');
}

export function updateReadme(path, body) {
  const text = readFileSync(path, 'utf8');
  const start = '<!-- bench:start -->', end = '<!-- bench:end -->';
  const block = `${start}\n<!-- generated by npm run bench: do not edit by hand -->\n${body}\n${end}`;
  let next;
  if (text.includes(start) && text.includes(end)) {
    next = text.slice(0, text.indexOf(start)) + block + text.slice(text.indexOf(end) + end.length);
  } else {
    const anchor = text.indexOf('## The `digits` command');
    const section = `## Speed\n\n${block}\n\n`;
    next = anchor >= 0 ? text.slice(0, anchor) + section + text.slice(anchor) : `${text.trimEnd()}\n\n${section}`;
  }
  if (next !== text) writeFileSync(path, next);
}

export function markdown(r) {
  const s = r.summary;
  const m = r.machine;
  const out = [];
  const p = (...lines) => out.push(...lines, '');
  p('# Benchmarks', '',
    `<!-- generated by \`npm run bench\` (scripts/bench.mjs): do not edit by hand, rerun it -->`,
    `Measured ${r.date.replace('T', ' ').slice(0, 19)} UTC by \`${r.command}\` (${r.mode} run, ${Math.round(r.seconds)} s)` +
      (r.source?.commit ? ` at commit ${r.source.commit}${r.source.changedFiles ? ` with ${r.source.changedFiles} uncommitted change(s) in src/, web/, model/ or CMakeLists.txt` : ''}` : '') +
      `; the wasm module built ${r.wasmBuiltAt?.replace('T', ' ').slice(0, 16)} UTC.` +
      (r.mode === 'quick' ? ' **A quick run: few repeats and small inputs; the figures are rough.**' : ''));
  p('Every timing is a median of repeats (each section says how many), taken on a machine that may be running other work: ' +
    'the load average is recorded below, and contenders that are compared alternate within the run, so that a busy machine slows both alike. ' +
    'Sizes are exact.');
  p('## Machine', '', table(['', ''], [
    ['CPU', `${m.cpu.model}, ${m.cpu.vendor} family ${m.cpu.family} model ${m.cpu.modelNumber}: ${m.cpu.microarchitecture}${m.cpu.hypervisor ? ', in a virtual machine' : ''}`],
    ['Cores, clock', `${m.cpu.cores} cores, ${fmt(m.cpu.mhz, 0)} MHz as /proc/cpuinfo states it; SIMD: ${m.cpu.simd.join(', ')}`],
    ['Caches (per core / shared)', `L1d ${m.cpu.caches.l1d}, L2 ${m.cpu.caches.l2}, L3 ${m.cpu.caches.l3}`],
    ['Memory', `${fmt(m.memoryBytes / 2 ** 30, 1)} GiB`],
    ['OS', `${m.os} (${m.kernel})`],
    ['Node', m.node],
    ['emcc', emccVersion(m.emcc)],
    ['C compiler', m.cc ?? '—'],
    ['Chromium', m.chromium ?? '—'],
    ['npm packages', Object.entries(m.packages).map(([k, v]) => `${k} ${v ?? '—'}`).join(', ')],
    ['Load average (1 min)', `${m.load.one} at the start, ${m.loadAtEnd.one} at the end; per part: ` +
      Object.entries(r.loads).map(([k, v]) => `${k} ${v.before.one} → ${v.after.one} (${Math.round(v.seconds)} s)`).join(', ')],
  ], true));
  if (m.load.one > m.cpu.cores / 2) p(`The machine was shared and busy during this run (load ${m.load.one} on ${m.cpu.cores} cores): absolute figures are low and noisy; the ratios compare contenders measured alternately in the same run.`);
  for (const note of r.notes ?? []) p(`Note: ${note}.`);

  p('## Summary', '', table(['measure', 'ours', 'theirs', 'ours/theirs'], mainRows(r)));
  p('## Targets (issues 6 and 17)', '', table(['target', 'wanted', 'measured', 'met'], r.targets.map((t) => [t.name, t.target, t.shown, mark(t.met)])));

  if (s.training) trainingSection(p, s.training, m.cpu);
  if (s.latency) latencySection(p, s.latency, r.raw.latency);
  if (s.csv) csvSection(p, s.csv);
  if (s.page) pageSection(p, s.page, r.raw.page);
  if (s.frame) frameSection(p, r.raw.frame);
  return `${out.join('\n').trimEnd()}\n`;
}

function trainingSection(p, t, cpu) {
  const tf = t.tf ?? {};
  p('## Training throughput', '',
    `Data: \`${t.csv}\`, ${fmt(t.rows, 0)} rows (the project's 10,000 MNIST digits less the hold-out); on average ` +
    `${fmt(t.meanInked, 1)} of 784 pixels are inked (${fmt(100 * t.inkedFraction, 1)}%). Network 784-H-10, batch 64, ` +
    'Adam lr 1e-3 (our `train_defaults()`; ours also decays it by a cosine, which costs nothing), no augmentation. ' +
    'Samples/s over whole epochs after a warm-up epoch (CSV parsing excluded); medians over ' +
    `${t.plan.rounds} round(s), the contenders alternating within each round.`,
    '',
    `- **native C**: \`scripts/bench/train_native.c\` drives the Trainer API (\`train_new\`/\`train_step\`, as the CLI does), ` +
    `compiled against \`src/\` with CMake's Release flags: \`${t.builds[0].command}\` (x86-64 baseline: SSE2, no FMA)` +
    (t.builds[1] ? `; and again with \`-march=native\` (CMake's \`DIGITS_NATIVE_ARCH=ON\`) to see what the hardware allows.` : '.'),
    '- **our wasm**: `build-wasm/digits_wasm.wasm` in Node, `_dg_trainer_new` then `_dg_trainer_step(t, 1000)` (an epoch per call: the call returns at an epoch\'s end).',
    `- **TF.js-wasm**: @tensorflow/tfjs ${tf.version ?? ''} with @tensorflow/tfjs-backend-wasm in Node, SIMD ${tf.simd ? 'on' : 'off'}, threads ${tf.threads ? 'on' : 'off'} ` +
    '(`setWasmPaths` to `node_modules/@tensorflow/tfjs-backend-wasm/dist/`), the same rows as float32 tensors. Two ways a web developer would write it: ' +
    '`model.fit` (Layers API: dense 784→H ReLU, dense H→10 softmax, categorical cross-entropy, `tf.train.adam(1e-3)`, shuffle on) and an own loop ' +
    '(`tf.gather` of a shuffled batch, `optimizer.minimize` of `tf.losses.softmaxCrossEntropy`). The ratio uses the faster of the two.');
  const rows = [];
  for (const h of t.hiddens) {
    const r = (name, x, peak) => rows.push([`784-${h.hidden}-10`, name, fmt(x.samplesPerSec.median),
      `${fmt(x.samplesPerSec.min)}–${fmt(x.samplesPerSec.max)} (${x.samplesPerSec.n})`, fmt(x.gflops, 2),
      peak ? `${fmt(x.percentOfPeak, 0)}% of ${peak}` : '']);
    r('native C', h.native, 'the hardware\'s');
    if (h.nativeMarch) r('native C, -march=native', h.nativeMarch, 'the hardware\'s');
    r('our wasm (Node)', h.ours, 'SIMD128\'s');
    r('TF.js-wasm, model.fit', h.tfFit);
    r('TF.js-wasm, own loop', h.tfLoop);
  }
  p(table(['network', 'implementation', 'samples/s (median)', 'range (epochs)', 'GFLOP/s executed', 'of one core\'s fp32 peak'], rows));
  p(table(['ratio', ...t.hiddens.map((h) => `H = ${h.hidden}`)], [
    ['our wasm / TF.js-wasm (faster way)', ...t.hiddens.map((h) => fmtRatio(h.ratios.oursVsTf))],
    ['our wasm / TF.js-wasm model.fit', ...t.hiddens.map((h) => fmtRatio(h.ratios.oursVsTfFit))],
    ['our wasm / TF.js-wasm own loop', ...t.hiddens.map((h) => fmtRatio(h.ratios.oursVsTfLoop))],
    ['native / our wasm', ...t.hiddens.map((h) => fmtRatio(h.ratios.nativeVsOurs))],
  ]));
  p('### FLOPs and peak', '',
    `FLOPs a sample executes (2 per multiply-add): the kernels skip zero pixels, so the first layer costs nnz·H forward and nnz·H for its weight gradient (nnz = ${fmt(t.meanInked, 1)}, the mean inked pixels), ` +
    'the second layer 10·H forward, 10·H for its gradient and 10·H back into the hidden layer: 2 × H × (2·nnz + 30) = ' +
    t.hiddens.map((h) => `${fmt(h.flopsPerSample / 1e6, 3)} MFLOP for H = ${h.hidden}`).join(', ') +
    ' (biases, ReLU, softmax and the Adam update not counted). GFLOP/s = samples/s × FLOPs per sample. Peaks are for **one core** (training is single-threaded):',
    '',
    `- the hardware: ${cpu.peaks.hardware.how} → **${fmt(cpu.peaks.hardware.gflops, 1)} GFLOP/s**;`,
    `- WebAssembly SIMD128: ${cpu.peaks.wasm.how} → **${fmt(cpu.peaks.wasm.gflops, 1)} GFLOP/s**.`,
    '',
    `Assumptions: ${cpu.assumptions}. The clock is the nominal one that /proc/cpuinfo states (in a virtual machine the ` +
    'turbo clock is not visible; if the core runs faster, the peaks are higher by the same factor).',
    '',
    'The share is low because the kernels do one multiply-add per weight they load: each inked pixel\'s row of H weights ' +
    'streams in from cache for a single sample, so they wait on loads, not on arithmetic (and the Adam update, a pass over ' +
    'every parameter each batch, is not counted at all).');
}

function latencySection(p, l, raw) {
  p('## Recognition latency', '',
    `One digit through the default model (784-${l.hidden}-10), ${fmt(l.calls, 0)} calls each after ${fmt(raw.warmup, 0)} warm-up calls, ` +
    `each call timed on its own; real digits from \`data/holdout.csv\` (${raw.digits} of them, cycled), the two alternating in blocks.`,
    '',
    '- ours: `Recognizer.predict(x)` (web/recognizer.js) as the page has it: its own module (`digits_recognizer.wasm`) holding the default model read from `model.pack`; ' +
    'copy 784 floats into wasm memory, call `_dg_predict`, copy the 10 probabilities out. ' +
    (raw.integer ? 'The default model\'s W1 is on the integer grid (`src/quant.h`: each unit\'s weights whole numbers times a power of two, which float16 stores exactly) and the digits are 8-bit images, so its first layer runs as exact integer sums: the numbers as int8 (up to 8 bits; else int16), a pair of neighbouring pixels per 16-bit SIMD multiply-add (`i32x4.dot_i16x8_s`); ' +
      '"ours, float kernels" is the same model in a second instance with that integer form dropped: the path of any model off the grid;' : 'The model is not on the integer grid: the float kernels run;'),
    '- TF.js-wasm: `tf.tensor2d(x, [1, 784])`, `model.predict`, `dataSync()`, argmax, `dispose()` of both tensors; the same weights loaded into a Layers model.',
    '',
    `Same network: the same digit for ${l.sameAnswers} inputs, probabilities within ${l.maxAbsDiff.toExponential(1)}.`,
    '',
    table(['', 'median µs', 'p10', 'p90', 'mean'], [
      ['ours', fmt(raw.ours.median, 2), fmt(raw.ours.p10, 2), fmt(raw.ours.p90, 2), fmt(raw.ours.mean, 2)],
      ...(raw.oursFloat ? [['ours, float kernels', fmt(raw.oursFloat.median, 2), fmt(raw.oursFloat.p10, 2), fmt(raw.oursFloat.p90, 2), fmt(raw.oursFloat.mean, 2)]] : []),
      ['TF.js-wasm', fmt(raw.theirs.median, 2), fmt(raw.theirs.p10, 2), fmt(raw.theirs.p90, 2), fmt(raw.theirs.mean, 2)],
    ]),
    '',
    `Ours is **${fmtRatio(l.speedup)} faster** (median against median)` +
    (raw.oursFloat ? `; with the float kernels only, ${fmtRatio(l.speedupFloat)} faster.` : '.'),
    '',
    (raw.integer && raw.inkedPairs ? `Most of our time is the first layer's integer sums: a digit inks ${fmt(raw.inkedPairs, 1)} of the 392 pairs of neighbouring pixels on average, ` +
      `and each inked pair costs ${fmt(dotsPerPair(l.hidden), 0)} \`i32x4.dot_i16x8_s\` (two pixels for four units: 8 multiply-adds), the widest integer multiply-add of baseline WebAssembly SIMD: ` +
      `${fmt(raw.inkedPairs * dotsPerPair(l.hidden), 0)} of them per digit, each with its load and its add. ` +
      'Only relaxed SIMD has a wider one (`i32x4.relaxed_dot_i8x16_i7x16_add_s`), which not every browser runs and whose 7-bit operand would not hold an 8-bit pixel. ' +
      'The output layer and the copies in and out are the rest.' : ''));
}

// The integer first layer's dot products per pair of pixels: units in passes of 16, four per product.
function dotsPerPair(hidden) {
  return Math.ceil(hidden / 16) * 4;
}

function csvSection(p, c) {
  p('## CSV parsing', '',
    `A Kaggle-format train file of ${fmt(c.rows, 0)} rows (${fmtBytes(c.bytes)}; MB = 10⁶ bytes), made of \`data/train.csv\`'s rows repeated, ` +
    `in a temporary folder. Each parser starts from the bytes in memory; medians of ${c.reps} run(s), the parsers alternating.`,
    '',
    `- ours: the C parser in wasm (\`_dg_csv_new\`, \`_dg_csv_feed\` in ${c.chunk / 1024} KiB chunks copied into wasm memory, as the page's worker feeds it, \`_dg_csv_finish\`): a Dataset of uint8 pixels and labels, every field range-checked;`,
    '- PapaParse: `Papa.parse(text, { dynamicTyping: true, skipEmptyLines: true })`: arrays of numbers;',
    '- d3-dsv: `csvParseRows(text, row => row.map(Number))`: arrays of numbers.',
    '',
    `The JavaScript parsers get the text already decoded (\`TextDecoder\`, ${fmt(c.decodeSeconds * 1000, 0)} ms, not counted: in their favour).`,
    '',
    table(['parser', 'seconds (median)', 'MB/s', 'rows/s', 'ours is'], Object.entries(c.parsers).map(([name, x]) => [
      { ours: 'ours (C in wasm)', papaparse: 'PapaParse', d3: 'd3-dsv' }[name] ?? name, fmt(x.seconds.median, 3), fmt(x.mbPerSec), fmt(x.rowsPerSec),
      name === 'ours' ? '' : fmtRatio(c.parsers.ours.mbPerSec / x.mbPerSec)])));
}

function pageSection(p, s, raw) {
  p('## The page', '',
    `Built with \`node scripts/build-site.mjs --out <tmp>\`, served by \`scripts/serve.mjs\` on localhost under /digits/ as a static host serves it ` +
    '(text gzipped for a browser that accepts it, binary files as they are), loaded by headless Chromium ' +
    `(playwright-core, a new browser context per load: an empty cache). Ready = ${raw.readySignal}.`,
    '',
    `Ready to predict: median **${fmt(s.readyMs, 0)} ms** from navigation over ${s.loads} cold load(s) (${fmt(s.readyRange[0], 0)}–${fmt(s.readyRange[1], 0)} ms)` +
    (s.throttledMs != null ? `; on a throttled connection (CDP \`Network.emulateNetworkConditions\`: ${throttleText(s.throttle)}) median ` +
      `**${fmt(s.throttledMs, 0)} ms** over ${s.throttledLoads} cold load(s) (${fmt(s.throttledRange[0], 0)}–${fmt(s.throttledRange[1], 0)} ms), the two kinds of load alternating.` : '.') +
    (s.drawableMs != null ? ' Before that the page is usable: the pad can be drawn on, and the status line says "Loading the model…", from DOMContentLoaded ' +
      `(which follows web/app.js creating the pad), median ${fmt(s.drawableMs, 0)} ms on localhost` +
      (s.throttledDrawableMs != null ? ` and ${fmt(s.throttledDrawableMs, 0)} ms throttled.` : '.') : ''),
    '',
    'What the page requests before it is ready, and what it transfers: sizes of the built files; gzip -9; transferred = text gzipped, ' +
    'binary files (`.wasm`, the packed model `model.pack`, `.png`) as they are, since static hosts send `application/octet-stream` ' +
    '(and often `application/wasm`) uncompressed. The model is `model/*.npy` packed without loss (docs/model-pack.md); ' +
    '`digits_recognizer.wasm` is the page\'s own WebAssembly module, which reads digits (training\'s module loads in the worker when training starts).',
    '',
    table(['file', 'bytes', 'gzip', 'transferred'], [...raw.ours.files.map((f) => [`\`${f.name}\``, fmt(f.raw, 0), fmt(f.gzip, 0), fmt(f.sent, 0)]),
      ['**total**', `**${fmt(raw.ours.raw, 0)}**`, `**${fmt(raw.ours.gzip, 0)}**`, `**${fmt(raw.ours.sent, 0)}**`],
      ['of which the model', fmt(raw.ours.model.raw, 0), fmt(raw.ours.model.gzip, 0), fmt(raw.ours.model.sent, 0)]]),
    '',
    'TensorFlow.js instead (before any model, and before the page\'s own code): a SIMD browser loads `tf.min.js`, `tf-backend-wasm.min.js` and `tfjs-backend-wasm-simd.wasm`; a site ships all three .wasm files:',
    '',
    table(['file', 'bytes', 'gzip', 'transferred'], [...raw.theirs.files.map((f) => [`\`${f.name}\``, fmt(f.raw, 0), fmt(f.gzip, 0), fmt(f.sent, 0)]),
      ['**loaded by a SIMD browser**', `**${fmt(raw.theirs.loaded.raw, 0)}**`, `**${fmt(raw.theirs.loaded.gzip, 0)}**`, `**${fmt(raw.theirs.loaded.sent, 0)}**`],
      ['… plus the same weights as float16 .npy files', '', '', fmt(raw.theirs.loaded.sent + (raw.npyModelBytes ?? 0), 0)],
      ['shipped', fmt(raw.theirs.shipped.raw, 0), fmt(raw.theirs.shipped.gzip, 0), fmt(raw.theirs.shipped.sent, 0)]]));
  if (s.training) {
    p('### Training in the page', '',
      'The page\'s own worker (web/worker.js through web/trainer-client.js, imported from the served assets) on the bundled data ' +
      `(${fmt(s.training[0].trainCount, 0)} training rows, the 1,005-row hold-out evaluated after every epoch, included). ` +
      'Seconds per epoch: the median of the epochs after the first (which warms up); data load = fetching, gunzipping and parsing the bundled CSVs in the worker.',
      '',
      table(['settings', 's per epoch', 'samples/s', 'first epoch s', 'data load ms', 'validation accuracy'], s.training.map((t) => [
        t.label, fmt(t.epochSeconds.median, 3), fmt(t.samplesPerSec), fmt(t.firstEpochSeconds, 3), fmt(t.dataLoadMs, 0), `${fmt(100 * t.valAccuracy, 1)}%`])));
  } else {
    p(`Training in the page: ${s.trainingStatus}${s.trainingReason ? ` (${s.trainingReason})` : ''}.`);
  }
}

function frameSection(p, raw) {
  p('## A frame while drawing', '',
    'What the page does on every frame while a person draws, in headless Chromium (scripts/bench/frame.mjs): hold-out digits ' +
    'as strokes (tests/wasm/stroked.mjs) drawn on the built page\'s pad with CDP mouse events, an event every 16 ms; the animation ' +
    'frames\' durations on the main thread from a Chrome trace (the pad painted, then strokes → 28×28 input → probabilities → ' +
    'the bars, the digit and "what it sees" updated). Then, in the same page on the same drawings, each path timed call by call ' +
    '(a cross-origin-isolated page: 5 µs timer steps): the page\'s (renderStrokes + predict), the page\'s before strokes.js ' +
    '(the strokes painted on a 280×280 canvas, getImageData, preprocess, predict) and a TF.js demo\'s (tf.browser.fromPixels, ' +
    'tf.image.resizeBilinear to 28×28, predict and dataSync of the same network and weights). Normal speed, then the CPU ' +
    'throttled 4× (CDP Emulation.setCPUThrottlingRate, as on a mid-range phone).',
    '',
    frameTable(raw));
}
