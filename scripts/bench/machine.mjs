// machine.mjs: what the benchmarks ran on, and the CPU's single-core fp32 peak.
//
//   const m = describeMachine();   // { cpu, memoryBytes, os, kernel, node, emcc, cc, chromium, packages, load }
//   m.cpu.peaks                    // { hardware, wasm }: { flopsPerCycle, gflops, how }
//
// The peak is one core × clock × SIMD lanes × FLOPs per lane per cycle. The clock is the one
// /proc/cpuinfo states (under a hypervisor: the nominal/TSC clock; turbo may be higher). The
// execution units per core come from a small table by vendor and family (below), because no
// file states them; each entry says what it assumes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const read = (path) => { try { return readFileSync(path, 'utf8'); } catch { return ''; } };
const run = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_PATH: '/usr/share/nodejs' } })
      .toString().trim();
  } catch { return null; }
};

export function loadAverage() {
  const [one, five, fifteen] = os.loadavg();
  return { one: +one.toFixed(2), five: +five.toFixed(2), fifteen: +fifteen.toFixed(2) };
}

export function describeMachine(root) {
  const cpu = describeCpu();
  const pkg = (name) => {
    const file = join(root, 'node_modules', name, 'package.json');
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
  };
  return {
    cpu,
    memoryBytes: os.totalmem(),
    os: (read('/etc/os-release').match(/^PRETTY_NAME="?([^"\n]*)"?/m) ?? [])[1] ?? `${os.type()} ${os.release()}`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    emcc: firstLine(run('emcc', ['--version'])),
    cc: firstLine(run('cc', ['--version'])),
    chromium: firstLine(run(process.env.CHROMIUM_PATH || '/usr/bin/chromium', ['--version'])),
    packages: Object.fromEntries(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'papaparse', 'd3-dsv', 'playwright-core']
      .map((name) => [name, pkg(name)])),
    load: loadAverage(),
  };
}

const firstLine = (s) => (s == null ? null : s.split('\n')[0]);

function describeCpu() {
  const info = read('/proc/cpuinfo');
  const field = (name) => (info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm')) ?? [])[1]?.trim() ?? null;
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  const vendor = field('vendor_id') ?? os.cpus()[0]?.model ?? 'unknown';
  const family = Number(field('cpu family'));
  const model = Number(field('model'));
  const mhz = Number(field('cpu MHz')) || os.cpus()[0]?.speed || null;
  const cores = os.cpus().length;
  const cache = (index) => read(`/sys/devices/system/cpu/cpu0/cache/index${index}/size`).trim() || null;
  const core = coreModel(vendor, family, model, flags);
  const ghz = mhz ? mhz / 1000 : null;
  const peak = (lanes, flopsPerLane, units, what) => ({
    flopsPerCycle: lanes * flopsPerLane * units,
    gflops: ghz ? +(ghz * lanes * flopsPerLane * units).toFixed(1) : null,
    how: `${ghz ? ghz.toFixed(3) : '?'} GHz × ${lanes} fp32 lanes × ${flopsPerLane === 2 ? '2 (FMA: multiply + add)' : '1'} × ` +
      `${units} unit${units > 1 ? 's' : ''} = ${lanes * flopsPerLane * units} FLOP/cycle (${what})`,
  });
  const widest = flags.has('avx512f') ? 16 : flags.has('avx') ? 8 : 4;
  return {
    model: field('model name') ?? os.cpus()[0]?.model ?? 'unknown',
    vendor,
    family,
    modelNumber: model,
    microarchitecture: core.name,
    hypervisor: flags.has('hypervisor'),
    mhz,
    cores,
    caches: { l1d: cache(0), l2: cache(2), l3: cache(3) },
    simd: ['sse2', 'avx', 'avx2', 'fma', 'avx512f'].filter((f) => flags.has(f)),
    assumptions: core.assumptions,
    peaks: {
      // The hardware: the widest vectors with FMA on all FMA pipes.
      hardware: peak(flags.has('fma') ? Math.min(widest, core.fmaWidth) : 4, flags.has('fma') ? 2 : 1,
        flags.has('fma') ? core.fmaUnits : core.mulUnits + core.addUnits, `${widest * 32}-bit${flags.has('fma') ? ' FMA' : ''}, one core`),
      // WebAssembly SIMD128: 4 lanes, no fused multiply-add (relaxed SIMD is not used): separate
      // multiply and add instructions, each on its own pipes.
      wasm: peak(4, 1, core.mulUnits + core.addUnits,
        `WebAssembly SIMD128: 128-bit, no FMA, ${core.mulUnits} multiply + ${core.addUnits} add pipes`),
    },
  };
}

// Floating-point pipes per core, from the vendors' optimisation guides.
function coreModel(vendor, family, model, flags) {
  if (/AMD/i.test(vendor) && family === 0x1a) {
    return {
      name: 'AMD Zen 5 (family 1Ah)', fmaUnits: 2, fmaWidth: 16, mulUnits: 2, addUnits: 2,
      assumptions: 'Zen 5 (family 1Ah): 4 FP pipes per core, 2 multiply/FMA + 2 add, 512 bits wide on EPYC (server) parts',
    };
  }
  if (/AMD/i.test(vendor) && family === 0x19) {
    const zen4 = flags.has('avx512f');
    return {
      name: zen4 ? 'AMD Zen 4 (family 19h)' : 'AMD Zen 3 (family 19h)', fmaUnits: 2, fmaWidth: 8, mulUnits: 2, addUnits: 2,
      assumptions: `${zen4 ? 'Zen 4' : 'Zen 3'}: 2 multiply/FMA + 2 add pipes, 256 bits wide${zen4 ? ' (AVX-512 in two halves)' : ''}`,
    };
  }
  if (/AMD/i.test(vendor) && family === 0x17) {
    return {
      name: 'AMD Zen/Zen 2 (family 17h)', fmaUnits: 2, fmaWidth: model >= 0x30 ? 8 : 4, mulUnits: 2, addUnits: 2,
      assumptions: 'Zen/Zen 2: 2 multiply/FMA + 2 add pipes (Zen 2: 256 bits wide, Zen: 128)',
    };
  }
  if (/Intel/i.test(vendor)) {
    return {
      name: `Intel family ${family} model ${model}`, fmaUnits: 2, fmaWidth: flags.has('avx512f') ? 16 : 8, mulUnits: 1, addUnits: 1,
      assumptions: 'Intel: assumed 2 FMA ports (512 bits wide where AVX-512 is present: server parts); multiplies and adds share those 2 ports',
    };
  }
  return {
    name: `${vendor} family ${family} model ${model}`, fmaUnits: 2, fmaWidth: 8, mulUnits: 2, addUnits: 2,
    assumptions: 'unknown core: assumed 2 FMA units of 256 bits, 2 multiply + 2 add pipes',
  };
}
