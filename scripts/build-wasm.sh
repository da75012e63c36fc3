#!/usr/bin/env bash
# Builds the WebAssembly modules into build-wasm/: digits_recognizer.{js,wasm} (the page's: reading
# digits) and digits_wasm.{js,wasm} (the worker's: everything), each an ES module and its .wasm.
# Works with Debian's emscripten (emcc 3.1.x, needs NODE_PATH for its JS optimizer) and emsdk 4.x.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v emcmake >/dev/null 2>&1; then
  echo "build-wasm: emcc/emcmake not found: run 'bash scripts/setup.sh wasm' (or: sudo apt-get install -y emscripten)" >&2
  exit 1
fi
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-wasm -j "$(nproc 2>/dev/null || echo 2)"
ls -l build-wasm/digits_recognizer.js build-wasm/digits_recognizer.wasm build-wasm/digits_wasm.js build-wasm/digits_wasm.wasm >&2
