// stats.mjs: the small numeric helpers of the benchmarks (no dependencies).
//
//   summarize([3, 1, 2])   // -> { median: 2, min: 1, max: 3, n: 3 }
//   fmt(123456.7)          // -> '123,457'   fmtRatio(12.34) -> '12.3×'

export function median(values) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median, minimum and maximum of a sample, and its size. */
export function summarize(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** A number with thousands separators and `digits` decimals (default: none at or above 100). */
export function fmt(value, digits) {
  if (value == null || !Number.isFinite(value)) return '—';
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export const fmtRatio = (r) => (r == null || !Number.isFinite(r) ? '—' : `${fmt(r, r >= 100 ? 0 : 1)}×`);

export function fmtBytes(n) {
  if (n == null) return '—';
  if (n >= 1e6) return `${fmt(n / 1e6, 2)} MB`;
  if (n >= 1e3) return `${fmt(n / 1e3, 1)} kB`;
  return `${n} B`;
}

/** Fisher-Yates with a seeded generator (mulberry32), so every run shuffles alike. */
export function shuffled(n, seed = 1) {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
