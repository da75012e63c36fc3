#!/usr/bin/env node
// child.mjs: runs one benchmark function in a fresh Node process, so that no measurement inherits
// another's heap, JIT state or wasm instances. scripts/bench.mjs spawns it:
//
//   node scripts/bench/child.mjs training.mjs oursRun '{"csv": "...", "hiddens": [128]}'
//
// and reads the function's result as JSON, the last line of stdout.
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [file, name, json = '{}'] = process.argv.slice(2);
try {
  if (!/^[a-z-]+\.mjs$/.test(file ?? '')) throw new Error(`bad module name '${file}'`);
  const mod = await import(pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), file)).href);
  if (typeof mod[name] !== 'function') throw new Error(`${file} exports no function '${name}'`);
  const result = await mod[name](JSON.parse(json));
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
} catch (err) {
  console.error(`bench child ${file} ${name}: ${err.stack ?? err.message}`);
  process.exit(1);
}
