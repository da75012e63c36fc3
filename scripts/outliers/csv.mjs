// The data sets of docs/not-a-digit.md as Kaggle-format CSV files (scripts/outlier-data.mjs,
// scripts/outlier-strokes.mjs).
//   csvText(rows, labels?)  rows of 784 pixels (0..255), labelled or not, as a CSV's text
//   write(file, text)       writes it (making the folder) and says so
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function csvText(rows, labels = null) {
  const head = (labels ? ['label'] : []).concat(Array.from({ length: 784 }, (_, i) => `pixel${i}`)).join(',');
  return `${head}\n${rows.map((px, i) => (labels ? `${labels[i]},` : '') + Array.from(px).join(',')).join('\n')}\n`;
}

export function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  console.log(`wrote ${path.relative(root, file)}`);
}
