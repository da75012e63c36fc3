// models.js: the four model files out of what a person picks or drops: .npy files, a .zip of
// them, or both, with the model's calibration.txt if it is among them. Names are matched without
// their folder and case (W1.npy, b1.npy, W2.npy, b2.npy, calibration.txt); the contents are
// checked by the recognizer (Recognizer.loadModel).
//
//   const files = await modelFilesFrom(fileList)   // -> { 'W1.npy': Uint8Array, ... }; throws, saying why
//   plainModelError(err.message)                   // the reason in plain words, for the page
import { CALIBRATION_FILE, MODEL_FILES } from './wasm.js';
import { unzip } from './zip.js';

/** files: File/Blob objects with a name (a FileList works). */
export async function modelFilesFrom(files) {
  const list = Array.from(files ?? []);
  if (!list.length) throw new Error('no files were given');
  const found = {};
  const take = (name, bytes, from) => {
    const wanted = [...MODEL_FILES, CALIBRATION_FILE].find((m) => m.toLowerCase() === baseName(name).toLowerCase());
    if (!wanted) {
      if (from) return; // other files inside a .zip (a README, say) are fine
      throw new Error(`${name}: not one of the model files ${MODEL_FILES.join(', ')}`);
    }
    if (found[wanted]) throw new Error(`${wanted} was given twice`);
    found[wanted] = bytes;
  };
  for (const file of list) {
    const name = file.name ?? 'file';
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (/\.zip$/i.test(name)) {
      let inside;
      try {
        inside = await unzip(bytes);
      } catch (err) {
        throw new Error(`${name}: ${err.message}`);
      }
      for (const [entry, content] of Object.entries(inside)) take(entry, content, name);
    } else if (/\.npy$/i.test(name) || baseName(name).toLowerCase() === CALIBRATION_FILE) {
      take(name, bytes);
    } else {
      throw new Error(`${name}: expected .npy files (${MODEL_FILES.join(', ')}) or a .zip of them`);
    }
  }
  const missing = MODEL_FILES.filter((m) => !found[m]);
  if (missing.length) {
    const got = Object.keys(found);
    throw new Error(`${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing` +
      (got.length ? ` (got ${got.join(', ')}); choose all four files together` : ''));
  }
  return found;
}

const baseName = (path) => path.split(/[\\/]/).pop();

/** A model-loading error in words a person knows: the .npy reader's "not a .npy file (bad magic)"
 * says what a .npy file is, and what the file may be instead. Other messages pass as they are. */
export function plainModelError(message) {
  return message.replace(/^(.+?): not a \.npy file \(bad magic\)$/,
    '$1 is not a .npy file (the format NumPy saves arrays in): it may be another kind of file with that name, or damaged');
}
