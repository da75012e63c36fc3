#!/usr/bin/env bash
# Installs what the project needs, or says exactly what to install.
#   bash scripts/setup.sh [native] [wasm] [browser] [node] [checks] [data]
#   (no argument: everything the tests need, all but data)
#   native:  cmake and a C compiler (gcc or clang)
#   wasm:    Emscripten (Debian's emcc 3.1.x works; so does an emsdk 3.x/4.x already on PATH)
#   browser: Chromium for the browser tests (or the browser at $CHROMIUM_PATH, if set)
#   node:    the npm dev dependencies (npm ci / npm install)
#   checks:  clang with libFuzzer and the sanitizer runtimes (Debian: libclang-rt-<version>-dev),
#            and valgrind: for the fuzzers (npm run fuzz) and the memory checks in npm test
#   data:    the fonts and Fashion-MNIST that npm run train:model makes its non-digit sets from
#            (Debian packages only; the list is scripts/outliers/glyphs.mjs's)
# On Debian/Ubuntu it runs apt-get itself when it may (root, or passwordless sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(native wasm browser node checks)

missing=()
want() { # want <command> <debian package>
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}
for part in "${parts[@]}"; do
  case "$part" in
    native) want cmake cmake; command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || missing+=(gcc); want make make ;;
    wasm) want emcc emscripten; want cmake cmake ;;
    browser) [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium) ;;
    node) ;;
    data)
      # the packages outlier-data.mjs renders from: one list, in scripts/outliers/glyphs.mjs
      for pkg in $(node --input-type=module -e '
          import { FONT_PACKAGES, WIDE_FONT_PACKAGES } from "./scripts/outliers/glyphs.mjs";
          console.log([...FONT_PACKAGES, ...WIDE_FONT_PACKAGES, "fontconfig", "dataset-fashion-mnist"].join(" "));'); do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ] || missing+=("$pkg")
      done ;;
    checks)
      want valgrind valgrind
      if ! command -v clang >/dev/null 2>&1; then
        missing+=(clang libclang-rt-dev)
      elif ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' |
          clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1; then
        missing+=("libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev")
      fi ;;
    *) echo "setup: unknown part '$part' (expected native, wasm, browser, node, checks or data)" >&2; exit 2 ;;
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

# npm dev dependencies: installed when any of package.json's is missing from node_modules, or is
# not the version package-lock.json pins (after a pull that changed it, say).
for part in "${parts[@]}"; do
  [ "$part" = node ] || continue
  if ! node -e '
    const fs = require("fs");
    const deps = Object.keys(require("./package.json").devDependencies || {});
    const lock = fs.existsSync("package-lock.json") ? require("./package-lock.json").packages || {} : {};
    const current = (d) => {
      const file = "node_modules/" + d + "/package.json";
      if (!fs.existsSync(file)) return false;
      const pinned = lock["node_modules/" + d]?.version;
      return !pinned || JSON.parse(fs.readFileSync(file, "utf8")).version === pinned;
    };
    process.exit(deps.every(current) ? 0 : 1);'; then
    echo "setup: installing npm dev dependencies" >&2
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  fi
done
