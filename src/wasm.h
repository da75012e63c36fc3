/* wasm.h: what the two files of Emscripten exports (wasm.c, wasm_train.c) share: the message of
 * the last failure, which dg_last_error() hands to JavaScript. */
#ifndef DIGITS_WASM_H
#define DIGITS_WASM_H

#include <emscripten/emscripten.h>

#include "error.h"

extern DigitsError wasm_last_error;

#endif
