// The benchmark harness (npm run bench, scripts/bench.mjs) works: its cheapest part in quick mode
// writes the table, benchmarks.json and benchmarks.md, and the README table goes between its
// markers. Speed itself is never asserted here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { executedFlops, updateReadme } from '../../scripts/bench/report.mjs';
import { root } from './load.mjs';

test('bench --quick --only csv prints the table and writes the JSON and the Markdown', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-bench-test-'));
  try {
    const stdout = execFileSync(process.execPath, ['scripts/bench.mjs', '--quick', '--only', 'csv', '--out', out, '--no-readme'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    assert.match(stdout, /\| measure \| ours \| theirs \| ours\/theirs \|/);
    assert.match(stdout, /ours vs PapaParse/);

    const report = JSON.parse(fs.readFileSync(path.join(out, 'benchmarks.json'), 'utf8'));
    assert.equal(report.mode, 'quick');
    assert.deepEqual(report.parts, ['csv']);
    assert.ok(report.machine.cpu.cores >= 1 && report.machine.memoryBytes > 0 && report.machine.node.startsWith('v'));
    assert.equal(typeof report.machine.load.one, 'number');
    const { csv } = report.summary;
    assert.equal(csv.rows, report.raw.csv.rows);
    for (const name of ['ours', 'papaparse', 'd3']) {
      assert.ok(csv.parsers[name].mbPerSec > 0 && csv.parsers[name].rowsPerSec > 0, `${name}: ${JSON.stringify(csv.parsers[name])}`);
    }
    const target = report.targets.find((t) => /PapaParse/.test(t.name));
    assert.equal(typeof target.met, 'boolean');

    const md = fs.readFileSync(path.join(out, 'benchmarks.md'), 'utf8');
    for (const heading of ['# Benchmarks', '## Machine', '## Summary', '## Targets (issues 6 and 17)', '## CSV parsing']) {
      assert.ok(md.includes(`\n${heading}\n`) || md.startsWith(`${heading}\n`), `no "${heading}" in benchmarks.md`);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('FLOPs a training sample executes: 2 H (2 nnz + 30)', () => {
  assert.equal(executedFlops(128, 150), 2 * 128 * 330);
});

test('the README table goes into a new Speed section before the digits command section, then only between its markers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-readme-'));
  const file = path.join(dir, 'README.md');
  try {
    fs.writeFileSync(file, '# digits\n\n## How well it works\n\ntext\n\n## The `digits` command\n\nmore\n');
    updateReadme(file, '| a | b |');
    const once = fs.readFileSync(file, 'utf8');
    assert.match(once, /## How well it works\n\ntext\n\n## Speed\n\n<!-- bench:start -->\n[^]*\| a \| b \|\n<!-- bench:end -->\n\n## The `digits` command\n/);
    updateReadme(file, '| c | d |');
    const twice = fs.readFileSync(file, 'utf8');
    assert.equal(twice, once.replace('| a | b |', '| c | d |'));
    assert.equal(twice.split('## Speed').length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
