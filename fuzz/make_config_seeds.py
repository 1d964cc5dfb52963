#!/usr/bin/python3
"""Generates the committed seed corpus of fuzz_config (fuzz/corpus/config/).

Run by hand, never by the build or the tests (standard library only):
    /usr/bin/python3 fuzz/make_config_seeds.py

  * real_<MODEL>.yaml: the shipped configs/*.yaml as they are;
  * edge_<case>.yaml: hand-made cases for what a YAML file can hold beyond
    the config's keys (aliases, nesting, encodings, several documents) and
    for every kind of bad value the reader must reject with a message.
"""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus", "config")


def edge_cases():
    e = {}
    e["empty"] = b""
    e["comment_only"] = b"# nothing but a comment\n"
    e["all_keys"] = (b"targets: [ref, hls, rtl, mcu, npu]\nclock_mhz: 250.5\ntarget_fps: 1e4\n"
                     b"max_weight_stream_bits: 4096\nfifo_depth: 64\nlabels: 3\nfolding:\n"
                     b"  - {mvau: 0, pe: 16, simd: 3, fifo_depth: 128}\n"
                     b"  - layer: \"/conv_features.7/MaxPool\"\n    pe: 8\n")
    e["flow_root"] = b"{targets: [ref], clock_mhz: 100, folding: [{mvau: 0, pe: 1, simd: 1}]}\n"
    e["crlf"] = b"targets: [ref]\r\nfolding:\r\n  - {mvau: 0, pe: 2}\r\n"
    e["anchors_aliases"] = (b"targets: &t [ref, hls]\nclock_mhz: &c 100\nfifo_depth: *c\n"
                            b"folding:\n  - &e {mvau: 0, pe: 4}\n  - *e\n")
    e["alias_cycle"] = b"&r {folding: [*r], targets: *r}\n"
    e["alias_undefined"] = b"clock_mhz: *nothere\n"
    # the "billion laughs": nine levels of nine aliases each
    lol = [b"a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for k in range(1, 9):
        lol.append(b"a%d: &a%d [" % (k, k) + b", ".join([b"*a%d" % (k - 1)] * 9) + b"]")
    e["alias_bomb"] = b"\n".join(lol) + b"\n"
    e["alias_many"] = b"x: &x 1\nfolding: [" + b", ".join([b"{mvau: *x}"] * 300) + b"]\n"
    e["deep_flow"] = b"folding: " + b"[" * 200 + b"]" * 200 + b"\n"
    e["deep_block"] = b"".join(b"  " * k + b"k%d:\n" % k for k in range(40)) + b"  " * 40 + b"x\n"
    e["huge_numbers"] = (b"clock_mhz: 1e400\ntarget_fps: 1e-400\nfifo_depth: 99999999999999999999999\n"
                         b"max_weight_stream_bits: -9223372036854775809\n")
    e["huge_folding"] = b"folding:\n  - {mvau: 9223372036854775807, pe: 4294967297, simd: 65537}\n"
    e["negative_folding"] = b"folding:\n  - {mvau: -1, pe: -16, simd: -3, fifo_depth: -1}\n"
    e["special_floats"] = b"clock_mhz: .inf\ntarget_fps: .nan\n"
    e["strtod_forms"] = b"clock_mhz: 0x1p4\ntarget_fps: infinity\n"
    e["int_forms"] = b"labels: 0x10\nfifo_depth: 1_000\nmax_weight_stream_bits: '  +12'\n"
    e["wrong_types"] = b"targets: ref\nclock_mhz: [100]\nlabels: {a: 1}\nfolding: 3\n"
    e["wrong_entry_types"] = b"folding:\n  - [mvau, 0]\n  - {layer: [a], pe: {x: 1}}\n"
    e["duplicate_keys"] = b"clock_mhz: 100\nclock_mhz: 200\n"
    e["duplicate_entry_keys"] = b"folding:\n  - {mvau: 0, pe: 2, pe: 4}\n"
    e["duplicate_layers"] = b"folding:\n  - {layer: a, pe: 2}\n  - {layer: a, simd: 2}\n"
    e["unknown_keys"] = b"clock: 100\nfolding:\n  - {mvau: 0, speed: 3}\n"
    e["complex_key"] = b"? [a, b]\n: 1\n"
    e["tags"] = b"clock_mhz: !!float 100\ntargets: !!seq [ref]\nlabels: !custom 1\n"
    e["block_scalars"] = b"folding:\n  - layer: |\n      two\n      lines\n    pe: 2\n"
    e["directives"] = b"%YAML 1.1\n%TAG ! tag:example.com,2000:\n---\nclock_mhz: 100\n...\n"
    e["two_documents"] = b"clock_mhz: 100\n---\nclock_mhz: 200\n"
    e["tabs"] = b"folding:\n\t- {mvau: 0, pe: 2}\n"
    e["non_utf8"] = b"folding:\n  - {layer: \"\xff\xfe\x80\", pe: 2}\n"
    e["utf16"] = "targets: [ref]\nclock_mhz: 100\n".encode("utf-16")
    e["utf8_bom"] = b"\xef\xbb\xbftargets: [ref]\n"
    e["control_chars"] = b"targets: [ref\x07, hls]\n"
    e["nul_in_value"] = b"folding:\n  - {layer: \"conv\\0evil\", pe: 2}\n"
    e["unicode_layer"] = "folding:\n  - {layer: \"/\u00fcber\u2028conv\", pe: 2}\n".encode()
    e["long_value"] = b"folding:\n  - {layer: \"" + b"x" * 5000 + b"\", pe: 2}\n"
    e["many_targets"] = b"targets: [" + b", ".join([b"ref", b"hls", b"rtl", b"mcu", b"npu"] * 200) + b"]\n"
    e["folding_over_limit"] = b"folding: [" + b",".join(b"{mvau: %d}" % k for k in range(4097)) + b"]\n"
    e["truncated"] = b"folding:\n  - {mvau: 0, pe: 16, si"
    return e


def main():
    os.makedirs(OUT, exist_ok=True)
    configs = os.path.join(ROOT, "configs")
    for name in sorted(os.listdir(configs)):
        if name.endswith(".yaml"):
            with open(os.path.join(configs, name), "rb") as src:
                data = src.read()
            with open(os.path.join(OUT, "real_" + name), "wb") as dst:
                dst.write(data)
    for name, data in edge_cases().items():
        with open(os.path.join(OUT, "edge_%s.yaml" % name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
