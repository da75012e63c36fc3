// csv.mjs: parsing Kaggle-format CSV text into numbers: our C parser in wasm (fed 64 KiB chunks,
// as the page's worker feeds it) against PapaParse (dynamicTyping: true) and d3-dsv
// (csvParseRows, each row mapped to numbers). Every parser starts from the file's bytes in
// memory; ours copies them into wasm memory as it goes, the JavaScript parsers get the text
// decoded once beforehand (not timed: in their favour; the decode time is reported beside).
// Repetitions alternate the parsers, so that a busy machine slows them alike.
//
//   writeKaggleFile(path, rows)             // header + rows of data/train.csv, repeated: Kaggle's size
//   csvRun({ file, reps: 5 })               // -> { bytes, rows, parsers: { ours, papaparse, d3 } }
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv, loadModule, ROOT } from './ours.mjs';

export const CHUNK = 64 * 1024;

/** Writes `rows` data rows (data/train.csv's, repeated in order) under its header. */
export function writeKaggleFile(path, rows, source = join(ROOT, 'data', 'train.csv')) {
  const text = readFileSync(source, 'utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const [header, ...data] = lines;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `${header}\n`);
    for (let written = 0; written < rows;) {
      const take = Math.min(data.length, rows - written);
      writeSync(fd, `${data.slice(0, take).join('\n')}\n`);
      written += take;
    }
  } finally {
    closeSync(fd);
  }
  return { path, rows, sourceRows: data.length };
}

export async function csvRun({ file, reps = 5, parsers = ['ours', 'papaparse', 'd3'] }) {
  const bytes = readFileSync(file);
  let t0 = performance.now();
  const text = new TextDecoder().decode(bytes);
  const decodeSeconds = (performance.now() - t0) / 1000;
  const mod = await loadModule();
  const { default: Papa } = await import('papaparse');
  const { csvParseRows } = await import('d3-dsv');

  // Each parses { bytes, text } and returns the number of data rows and the sum of the labels
  // (a check that all read alike).
  const run = {
    ours: (input) => {
      const data = parseCsv(mod, input.bytes, CHUNK);
      const n = mod._dg_dataset_count(data), labels = mod._dg_dataset_labels(data);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += mod.HEAPU8[labels + i];
      mod._dg_dataset_free(data);
      return { rows: n, labelSum: sum };
    },
    papaparse: (input) => {
      const { data, errors } = Papa.parse(input.text, { dynamicTyping: true, skipEmptyLines: true });
      if (errors.length) throw new Error(`PapaParse: ${errors[0].message}`);
      let sum = 0;
      for (let i = 1; i < data.length; i++) sum += data[i][0];
      return { rows: data.length - 1, labelSum: sum };
    },
    d3: (input) => {
      const rows = csvParseRows(input.text, (row, i) => (i === 0 ? null : row.map(Number)));
      let sum = 0;
      for (const row of rows) sum += row[0];
      return { rows: rows.length, labelSum: sum };
    },
  };

  // Warm-up: each parser once over the first rows (up to 4 MB), so that the timed runs are of
  // optimised code, as in a page that has parsed before. The text is ASCII: byte = character.
  const cut = bytes.length > 4e6 ? bytes.lastIndexOf(10, 4e6) + 1 : bytes.length;
  const head = { bytes: bytes.subarray(0, cut), text: text.slice(0, cut) };
  for (const name of parsers) run[name](head);

  const whole = { bytes, text };
  const seconds = Object.fromEntries(parsers.map((p) => [p, []]));
  const checks = {};
  for (let r = 0; r < reps; r++) {
    for (const name of parsers) {
      globalThis.gc?.();
      t0 = performance.now();
      checks[name] = run[name](whole);
      seconds[name].push((performance.now() - t0) / 1000);
    }
  }
  const [first] = parsers;
  for (const name of parsers) {
    if (checks[name].rows !== checks[first].rows || checks[name].labelSum !== checks[first].labelSum) {
      throw new Error(`${name} read ${checks[name].rows} rows (label sum ${checks[name].labelSum}), ` +
        `${first} ${checks[first].rows} (${checks[first].labelSum})`);
    }
  }
  return { file, bytes: bytes.length, rows: checks[first].rows, chunk: CHUNK, reps, decodeSeconds, seconds };
}
