// zip.js: the smallest .zip writer that every unzip accepts (store only, no compression: .npy
// weights barely compress), and a reader for the .zip files people give back (stored or deflated).
// Plain ES module: runs in the page, a worker and Node.
//
//   const bytes = zip({ 'W1.npy': u8, 'b1.npy': u8 }, { date: new Date() })  // -> Uint8Array
//   const files = await unzip(bytes)                                         // -> { name: Uint8Array }
//   crc32(u8)                                                                // -> unsigned 32-bit

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zip and gzip use it). */
export function crc32(bytes, crc = 0) {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const LOCAL = 0x04034b50, CENTRAL = 0x02014b50, END = 0x06054b50;
const UTF8_NAMES = 0x0800;

/** A store-only .zip of the files ({ name: Uint8Array } or [[name, Uint8Array], ...]), in order. */
export function zip(files, { date = new Date() } = {}) {
  const entries = (Array.isArray(files) ? files : Object.entries(files)).map(([name, data]) => {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (bytes.length >= 0xffffffff) throw new Error(`${name} is too large for a .zip without ZIP64`);
    return { name: new TextEncoder().encode(name), bytes, crc: crc32(bytes) };
  });
  if (entries.length >= 0xffff) throw new Error('too many files for a .zip');
  const { time, day } = dosDateTime(date);
  const size = entries.reduce((n, e) => n + 30 + e.name.length + e.bytes.length + 46 + e.name.length, 22);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const u16 = (v) => { view.setUint16(at, v, true); at += 2; };
  const u32 = (v) => { view.setUint32(at, v, true); at += 4; };
  const put = (bytes) => { out.set(bytes, at); at += bytes.length; };

  for (const e of entries) {
    e.offset = at;
    u32(LOCAL); u16(20); u16(UTF8_NAMES); u16(0); u16(time); u16(day);
    u32(e.crc); u32(e.bytes.length); u32(e.bytes.length); u16(e.name.length); u16(0);
    put(e.name);
    put(e.bytes);
  }
  const central = at;
  for (const e of entries) {
    u32(CENTRAL); u16(20); u16(20); u16(UTF8_NAMES); u16(0); u16(time); u16(day);
    u32(e.crc); u32(e.bytes.length); u32(e.bytes.length); u16(e.name.length);
    u16(0); u16(0); u16(0); u16(0); u32(0); u32(e.offset);
    put(e.name);
  }
  const centralSize = at - central;
  u32(END); u16(0); u16(0); u16(entries.length); u16(entries.length); u32(centralSize); u32(central); u16(0);
  return out;
}

/** The files of a .zip ({ name: Uint8Array }), stored or deflated; folders are skipped.
 * Throws an Error saying what is wrong for anything else. */
export async function unzip(bytes) {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let end = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === END) { end = i; break; }
  }
  if (end < 0) throw new Error('not a .zip file (no end-of-archive record)');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (at === 0xffffffff || count === 0xffff) throw new Error('ZIP64 archives are not supported');
  const files = {};
  for (let k = 0; k < count; k++) {
    if (at + 46 > data.length || view.getUint32(at, true) !== CENTRAL) throw new Error('damaged .zip (bad central directory)');
    const flags = view.getUint16(at + 8, true), method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true), packed = view.getUint32(at + 20, true), size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true), extra = view.getUint16(at + 30, true), comment = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(data.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
    if (name.endsWith('/')) continue;
    if (flags & 1) throw new Error(`${name} in the .zip is encrypted`);
    if (local + 30 > data.length || view.getUint32(local, true) !== LOCAL) throw new Error(`damaged .zip (bad header of ${name})`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + packed > data.length) throw new Error(`damaged .zip (${name} is truncated)`);
    const raw = data.subarray(start, start + packed);
    let content;
    if (method === 0) content = raw.slice();
    else if (method === 8) content = await inflate(raw, name);
    else throw new Error(`${name} in the .zip uses compression method ${method}; only stored and deflated files are supported`);
    if (content.length !== size || crc32(content) !== crc) throw new Error(`damaged .zip (${name} fails its CRC check)`);
    files[name] = content;
  }
  return files;
}

async function inflate(raw, name) {
  if (typeof DecompressionStream !== 'function') throw new Error(`cannot decompress ${name} here: no DecompressionStream`);
  let stream;
  try {
    stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  } catch {
    throw new Error(`cannot decompress ${name} here: store it uncompressed (zip -0)`);
  }
  try {
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new Error(`damaged .zip (${name}: ${err.message})`);
  }
}

// MS-DOS time and date, local time, 2-second resolution, 1980..2107.
function dosDateTime(date) {
  const year = Math.min(2107, Math.max(1980, date.getFullYear()));
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    day: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}
