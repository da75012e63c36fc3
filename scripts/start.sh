#!/usr/bin/env bash
# npm start: build what is missing or stale, then serve the site and print its URL.
#   bash scripts/start.sh [--port N] [--base /digits/]   (arguments go to scripts/serve.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."

# Emscripten, cmake and the npm packages: installed if missing (or the exact command is printed).
bash scripts/setup.sh wasm node

# The wasm build is needed when it is missing or older than the C sources or their build file.
wasm=build-wasm/digits_wasm.wasm
if [ ! -f "$wasm" ] || [ ! -f build-wasm/digits_wasm.js ] || [ ! -f build-wasm/digits_recognizer.wasm ] \
   || [ ! -f build-wasm/digits_recognizer.js ] \
   || [ -n "$(find src CMakeLists.txt scripts/build-wasm.sh -newer "$wasm" -print -quit 2>/dev/null)" ]; then
  npm run --silent build:wasm
fi

# The site build only copies files: always redo it.
node scripts/build-site.mjs
exec node scripts/serve.mjs "$@"
