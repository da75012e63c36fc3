#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/{csv,npy,model}/ (committed; about 115 KB).

Seeds are a few valid and invalid inputs of each kind; the fuzzer mutates them. Standard library
only. Regenerate: python3 tests/fuzz/make_corpus.py (it replaces the three directories' files).

  csv/    byte 0 chooses the chunking (see fuzz_csv.c), then a Kaggle CSV
  npy/    one .npy file: each dtype (<f2 <f4 <f8) and version (1.0 2.0 3.0), 1-D and 2-D,
          and broken ones (Fortran order, big-endian, <i4, NaN, Inf, truncated, overflowing shape)
  model/  W1.npy b1.npy W2.npy b2.npy concatenated (see fuzz_model.c): tiny models, H = 1 or 2
"""
import math
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def header(labelled):
    names = (["label"] if labelled else []) + ["pixel%d" % i for i in range(784)]
    return ",".join(names)


def row(r, labelled):
    pixels = ["0"] * 784
    for i in range(20):  # a short bar, different for each row
        pixels[(4 + 2 * (r % 10)) * 28 + 4 + i] = str((r * 37 + i * 11) % 256)
    return ",".join(([str(r % 10)] if labelled else []) + pixels)


def csv(rows, labelled=True, eol="\n", bom=False, final_newline=True, tail=""):
    text = (("\ufeff" if bom else "") + header(labelled) + eol
            + eol.join(row(r, labelled) for r in range(rows)) + (eol if final_newline and rows else "") + tail)
    return text.encode("utf-8")


def npy(descr, shape, payload, version=1, fortran=False):
    shape_text = "(%s)" % (", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else ""))
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape_text)
    pre = 10 if version == 1 else 12
    pad = (64 - (pre + len(text) + 1) % 64) % 64
    text = (text + " " * pad + "\n").encode("latin-1")
    length = struct.pack("<H", len(text)) if version == 1 else struct.pack("<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + length + text + payload


def floats(fmt, values):
    return b"".join(struct.pack(fmt, v) for v in values)


def model(hidden, dtype="<f4", versions=(1, 1, 1, 1), column_biases=True, w2_hidden=None, files=4):
    fmt = {"<f2": "<e", "<f4": "<f", "<f8": "<d"}[dtype]
    w2_hidden = hidden if w2_hidden is None else w2_hidden
    w1 = [((k % 17) - 8) / 100 for k in range(hidden * 784)]
    b1 = [0.1 * h for h in range(hidden)]
    w2 = [((k % 5) - 2) / 10 for k in range(10 * w2_hidden)]
    b2 = [-0.01 * j for j in range(10)]
    bshape = (lambda n: (n, 1)) if column_biases else (lambda n: (n,))
    return b"".join([npy(dtype, (hidden, 784), floats(fmt, w1), versions[0]),
                     npy(dtype, bshape(hidden), floats(fmt, b1), versions[1]),
                     npy(dtype, (10, w2_hidden), floats(fmt, w2), versions[2]),
                     npy(dtype, bshape(10), floats(fmt, b2), versions[3])][:files])


def write(kind, name, data):
    with open(os.path.join(CORPUS, kind, name), "wb") as f:
        f.write(data)


def main():
    for kind in ("csv", "npy", "model"):
        shutil.rmtree(os.path.join(CORPUS, kind), ignore_errors=True)
        os.makedirs(os.path.join(CORPUS, kind))

    # csv: the first byte picks the chunking (low 2 bits: max chunk 3, 17, 300 or 5000 bytes)
    write("csv", "train_2_rows", b"\x00" + csv(2))
    write("csv", "test_2_rows_crlf_bom", b"\x01" + csv(2, labelled=False, eol="\r\n", bom=True))
    write("csv", "train_no_final_newline", b"\x02" + csv(1, final_newline=False))
    write("csv", "train_trailing_blank_lines", b"\x07" + csv(1, eol="\r\n", tail="\r\n\r\n"))
    write("csv", "header_only", b"\x03" + csv(0))
    write("csv", "empty", b"\x00")
    write("csv", "label_10", b"\x05" + csv(1) + b"10" + b",0" * 784 + b"\n")
    write("csv", "pixel_256", b"\x06" + csv(1) + b"3" + b",0" * 100 + b",256" + b",0" * 683 + b"\n")
    write("csv", "too_few_columns", b"\x04" + csv(1) + b"3,0,0\n")
    write("csv", "nul_bytes", b"\x09" + csv(1) + b"3,1\x002,0\n")
    write("csv", "not_a_number", b"\x0a" + csv(1) + b"3,0,1.5,-2, 7\n")
    write("csv", "binary_garbage", b"\x0b\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x1c")
    write("csv", "wrong_header", b"\x08label,pixel0,pixle1\n")

    # npy
    write("npy", "f32_2x3_v1", npy("<f4", (2, 3), floats("<f", [1, 2, 3, 4, 5, 6.5])))
    write("npy", "f16_3x4_v1", npy("<f2", (3, 4), floats("<e", [0, 1, -2, 0.5, 65504, -65504, 6.1e-5, 6e-8, 0.1, 3.14, 1000, -1 / 3])))
    write("npy", "f64_4x2_v1", npy("<f8", (4, 2), floats("<d", [0.25, -0.5, 1e-3, 2, 1e300, -0.0, 3.4e38, 1e-320])))
    write("npy", "f32_vector_5_v1", npy("<f4", (5,), floats("<f", [1.5, -0.25, 0.003, 1e30, 7])))
    write("npy", "f32_2x3_v2", npy("<f4", (2, 3), floats("<f", [1, 2, 3, 4, 5, 6.5]), version=2))
    write("npy", "f64_2x2_v3", npy("<f8", (2, 2), floats("<d", [0.25, -0.5, 0.001, 2]), version=3))
    write("npy", "f16_column_v2", npy("<f2", (3, 1), floats("<e", [1, 2, 3]), version=2))
    write("npy", "fortran_f32", npy("<f4", (2, 3), floats("<f", [1, 2, 3, 4, 5, 6]), fortran=True))
    write("npy", "big_endian_f8", npy(">f8", (2, 2), floats(">d", [1, 2, 3, 4])))
    write("npy", "int32", npy("<i4", (2, 2), struct.pack("<4i", 1, 2, 3, 4)))
    write("npy", "nan_f32", npy("<f4", (2, 2), floats("<f", [1, math.nan, 3, 4])))
    write("npy", "inf_f16", npy("<f2", (2,), floats("<e", [math.inf, 1])))
    write("npy", "f64_too_large_for_float", npy("<f8", (1,), floats("<d", [1e39])))
    write("npy", "truncated_data", npy("<f4", (2, 3), floats("<f", [1, 2, 3, 4, 5])))
    write("npy", "truncated_header", npy("<f4", (2, 3), floats("<f", [1, 2, 3, 4, 5, 6]))[:40])
    write("npy", "overflowing_shape", npy("<f4", (4294967296, 4294967297), b""))
    write("npy", "three_dimensions", npy("<f4", (1, 2, 3), floats("<f", [1, 2, 3, 4, 5, 6])))
    write("npy", "header_length_overflows", b"\x93NUMPY\x02\x00\xff\xff\xff\xff{'descr': '<f4'}")
    write("npy", "bad_magic", b"\x93NUMPZ\x01\x00\x10\x00{}              \n")

    # model: the four files concatenated
    write("model", "h1_f16", model(1, "<f2"))
    write("model", "h2_f32_vector_biases", model(2, "<f4", column_biases=False))
    write("model", "h1_f64_versions_2_3", model(1, "<f8", versions=(2, 3, 1, 2)))
    write("model", "h2_w2_disagrees", model(2, "<f2", w2_hidden=1))
    write("model", "h1_missing_b2", model(1, "<f2", files=3))


if __name__ == "__main__":
    main()
