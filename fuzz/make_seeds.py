#!/usr/bin/python3
"""Generates the committed seed corpora of the fuzzers (fuzz/corpus/<target>/).

Run by hand (python3 with onnx and numpy), never by the build or the tests:
    /usr/bin/python3 fuzz/make_seeds.py

onnx_loader seeds:
  * shrunk_<MODEL>.onnx: each real model of tests/models with every wide
    dimension (64..784 channels or features) cut to a few, the initializers
    sliced from the trained ones, so the whole graph runs under the fuzzers'
    small limits;
  * conf_<test>.onnx: ONNX's own one-node tests (Debian libonnx-testdata)
    for the ops qonnxc implements, small ones only;
  * edge_<case>.onnx: hand-made QONNX cases (every rounding mode, Trunc,
    MultiThreshold, IntQuant, the qonnxc integer ops, odd attributes).
npy seeds: every dtype, both byte orders, versions 1.0/2.0/3.0, scalars,
empty and rank-8 arrays, and a few malformed headers.
"""
import io
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_ONNX = os.path.join(ROOT, "fuzz", "corpus", "onnx_loader")
OUT_NPY = os.path.join(ROOT, "fuzz", "corpus", "npy")
CONF_DIR = "/usr/share/libonnx-testdata/data/node"

# ---- shrunk real models -------------------------------------------------

SHRINK = {64: 4, 128: 4, 256: 4, 512: 8, 784: 16, 600: 16}


def shrink_dim(d):
    return SHRINK.get(d, d)


def shrink_model(name):
    mp = onnx.load(os.path.join(ROOT, "tests", "models", name, "model.onnx"))
    g = mp.graph
    new_inits = []
    for t in g.initializer:
        a = numpy_helper.to_array(t)
        if a.ndim > 0:  # (np.ascontiguousarray would make a scalar 1-d)
            a = np.ascontiguousarray(a[tuple(slice(0, shrink_dim(d)) for d in a.shape)])
        new_inits.append(numpy_helper.from_array(a, t.name))
    del g.initializer[:]
    g.initializer.extend(new_inits)
    shapes = {t.name: t.dims for t in new_inits}
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        dims = vi.type.tensor_type.shape.dim
        if vi.name in shapes:
            for k, d in enumerate(dims):
                d.dim_value = shapes[vi.name][k]
            continue
        for d in dims:
            if d.HasField("dim_value"):
                d.dim_value = shrink_dim(d.dim_value)
    # the MLPs take a flat 784 input as [1, 1, 28, 28]: make it [1, 1, 4, 4]
    for vi in g.input:
        dims = vi.type.tensor_type.shape.dim
        if [d.dim_value for d in dims] == [1, 1, 28, 28]:
            dims[2].dim_value = 4
            dims[3].dim_value = 4
    del g.value_info[:]
    return mp


# ---- hand-made edge cases -----------------------------------------------

QONNX = "qonnx.custom_op.general"


def model(nodes, inputs, outputs, inits, opsets=((QONNX, 1),), annotations=()):
    g = helper.make_graph(nodes, "edge", inputs, outputs, inits)
    for tensor, dt in annotations:
        qa = onnx.TensorAnnotation(tensor_name=tensor)
        qa.quant_parameter_tensor_names.add(key="finn_datatype", value=dt)
        g.quantization_annotation.append(qa)
    ops = [helper.make_opsetid("", 13)] + [helper.make_opsetid(d, v) for d, v in opsets]
    return helper.make_model(g, opset_imports=ops, ir_version=8)


def vi(name, shape, et=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, et, shape)


def f32(name, a):
    return numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)


def i64(name, a):
    return numpy_helper.from_array(np.asarray(a, dtype=np.int64), name)


def quant(rounding, signed=1, narrow=0, bits=4.0, scale=0.25, zp=0.0, op="Quant"):
    n = helper.make_node(op, ["x", "s", "z", "b"], ["y"], domain=QONNX, name="q",
                         signed=signed, narrow=narrow, rounding_mode=rounding)
    return model([n], [vi("x", [1, 8])], [vi("y", [1, 8])],
                 [f32("s", scale), f32("z", zp), f32("b", bits)])


def edge_cases():
    cases = {}
    for mode in ["ROUND", "HALF_EVEN", "HALF_UP", "HALF_DOWN", "CEIL", "FLOOR", "UP", "DOWN",
                 "ROUND_TO_ZERO"]:
        cases["quant_" + mode.lower()] = quant(mode)
    cases["quant_unsigned_narrow"] = quant("ROUND", signed=0, narrow=1, bits=3.0)
    cases["quant_1bit"] = quant("ROUND", bits=1.0)
    cases["quant_perchannel"] = model(
        [helper.make_node("Quant", ["x", "s", "z", "b"], ["y"], domain=QONNX, name="q",
                          signed=1, narrow=0, rounding_mode="ROUND")],
        [vi("x", [1, 4, 2])], [vi("y", [1, 4, 2])],
        [f32("s", [[0.5], [0.25], [1.0], [2.0]]), f32("z", 0.0), f32("b", 8.0)])
    cases["intquant"] = quant("ROUND", op="IntQuant")
    cases["bipolar"] = model(
        [helper.make_node("BipolarQuant", ["x", "s"], ["y"], domain=QONNX, name="bq")],
        [vi("x", [1, 8])], [vi("y", [1, 8])], [f32("s", 0.5)])
    for version in (1, 2):
        attrs = dict(rounding_mode="FLOOR")
        if version == 2:
            attrs.update(signed=1, narrow=0)
        cases["trunc_v%d" % version] = model(
            [helper.make_node("Trunc", ["x", "s", "z", "ib", "ob"], ["y"], domain=QONNX,
                              name="t", **attrs)],
            [vi("x", [1, 8])], [vi("y", [1, 8])],
            [f32("s", 0.5), f32("z", 0.0), f32("ib", 8.0), f32("ob", 4.0)],
            opsets=((QONNX, version),))
        if version == 2:
            n = cases["trunc_v2"].graph.node[0]
            n.input[:] = ["x", "s", "z", "ib", "s", "ob"]
    cases["multithreshold"] = model(
        [helper.make_node("MultiThreshold", ["x", "t"], ["y"], domain=QONNX, name="mt",
                          out_dtype="UINT2", out_scale=1.0, out_bias=0.0)],
        [vi("x", [1, 2, 3, 3])], [vi("y", [1, 2, 3, 3])],
        [f32("t", [[-1.0, 0.0, 1.0], [-0.5, 0.5, 2.0]])])
    cases["multithreshold_nhwc"] = model(
        [helper.make_node("MultiThreshold", ["x", "t"], ["y"], domain="finn.custom_op.general",
                          name="mt", out_dtype="INT2", out_scale=2.0, out_bias=-2.0,
                          data_layout="NHWC")],
        [vi("x", [1, 2, 2, 3])], [vi("y", [1, 2, 2, 3])],
        [f32("t", [[0.0], [1.0], [2.0]])], opsets=(("finn.custom_op.general", 1),))
    # the qonnxc integer graph
    cases["int_graph"] = model(
        [helper.make_node("InputQuant", ["x", "c1", "s", "z"], ["q"], domain="qonnxc",
                          name="iq", steps=["mul"], mode="quant", bits=4, signed=1, narrow=0,
                          rounding_mode="ROUND"),
         helper.make_node("IntMatMul", ["q", "w"], ["acc"], domain="qonnxc", name="mm", xnor=0),
         helper.make_node("MultiThreshold", ["acc", "t"], ["a"], domain="qonnxc", name="mt",
                          out_scale=1, out_bias=0, channel_axis=1),
         helper.make_node("IntAdd", ["a", "a"], ["a2"], domain="qonnxc", name="add"),
         helper.make_node("OutputAffine", ["a2", "A", "B"], ["y"], domain="qonnxc", name="oa",
                          channel_axis=1)],
        [vi("x", [1, 4])], [vi("y", [1, 3])],
        [f32("c1", 2.0), f32("s", 0.5), f32("z", 0.0),
         i64("w", [[1, -1, 0], [2, 0, 1], [0, 1, -2], [1, 1, 1]]),
         i64("t", [[-2, 0, 2], [-1, 0, 1], [0, 1, 2]]),
         f32("A", [0.5, 0.25, 1.0]), f32("B", [0.0, 1.0, -1.0])],
        opsets=(("qonnxc", 1),),
        annotations=(("q", "INT4"), ("acc", "INT8"), ("a", "UINT2"), ("a2", "UINT3")))
    cases["int_conv_pool"] = model(
        [helper.make_node("InputQuant", ["x", "c1"], ["q"], domain="qonnxc", name="iq",
                          steps=["mul"], mode="bipolar", bits=1, signed=1, narrow=0,
                          rounding_mode="ROUND"),
         helper.make_node("IntConv", ["q", "w"], ["acc"], domain="qonnxc", name="conv",
                          kernel_shape=[2, 2], pads=[0, 0, 0, 0], strides=[1, 1],
                          dilations=[1, 1], group=1, xnor=1),
         helper.make_node("IntMaxPool", ["acc"], ["p"], domain="qonnxc", name="pool",
                          kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0]),
         helper.make_node("OutputAffine", ["p", "A", "B"], ["y"], domain="qonnxc", name="oa",
                          channel_axis=1)],
        [vi("x", [1, 2, 5, 5])], [vi("y", [1, 2, 2, 2])],
        [f32("c1", 1.0), f32("s", 1.0), f32("z", 0.0),
         i64("w", np.resize([1, -1, -1, 1, 1, 1], (2, 2, 2, 2))),
         f32("A", [1.0, 2.0]), f32("B", [0.0, 0.5])],
        opsets=(("qonnxc", 1),),
        annotations=(("q", "BIPOLAR"), ("acc", "UINT4"), ("p", "UINT4")))
    # shapes computed at run time and folded: the torch flatten chain
    cases["flatten_chain"] = model(
        [helper.make_node("Shape", ["x"], ["s"], name="shape"),
         helper.make_node("Gather", ["s", "zero"], ["n"], name="gather", axis=0),
         helper.make_node("Unsqueeze", ["n", "axes"], ["n1"], name="unsq"),
         helper.make_node("Concat", ["n1", "minus1"], ["shp"], name="concat", axis=0),
         helper.make_node("Reshape", ["x", "shp"], ["r"], name="reshape"),
         helper.make_node("Pad", ["r", "pads"], ["p"], name="pad", mode="constant"),
         helper.make_node("Expand", ["p", "eshape"], ["e"], name="expand"),
         helper.make_node("Tile", ["e", "reps"], ["y"], name="tile")],
        [vi("x", [1, 2, 3])], [vi("y", [2, 16])],
        [i64("zero", 0), i64("axes", [0]), i64("minus1", [-1]), i64("pads", [0, 1, 0, 1]),
         i64("eshape", [2, 1]), i64("reps", [1, 2])])
    cases["conv_pads_pool"] = model(
        [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", kernel_shape=[3, 3],
                          pads=[1, 2, 0, 1], strides=[2, 1], dilations=[1, 2], group=2),
         helper.make_node("MaxPool", ["c"], ["m"], name="maxpool", kernel_shape=[2, 2],
                          strides=[1, 2], pads=[1, 1, 1, 1], ceil_mode=1),
         helper.make_node("AveragePool", ["m"], ["a"], name="avgpool", kernel_shape=[2, 2],
                          count_include_pad=1, auto_pad="SAME_UPPER"),
         helper.make_node("GlobalAveragePool", ["a"], ["y"], name="gap")],
        [vi("x", [1, 2, 6, 6])], [vi("y", [1, 4, 1, 1])],
        [f32("w", np.linspace(-1, 1, 4 * 1 * 3 * 3).reshape(4, 1, 3, 3)),
         f32("b", [0.1, 0.2, 0.3, 0.4])])
    cases["gemm_softmax_argmax"] = model(
        [helper.make_node("Gemm", ["x", "w", "b"], ["g"], name="gemm", transB=1, alpha=0.5,
                          beta=2.0),
         helper.make_node("Softmax", ["g"], ["s"], name="softmax", axis=-1),
         helper.make_node("ArgMax", ["s"], ["y"], name="argmax", axis=1, keepdims=0)],
        [vi("x", [1, 4])], [vi("y", [1], TensorProto.INT64)],
        [f32("w", np.arange(12).reshape(3, 4) / 10.0), f32("b", [1.0, 0.0, -1.0])])
    cases["slice_split_transpose"] = model(
        [helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["s"], name="slice"),
         helper.make_node("Split", ["s", "parts"], ["a", "b"], name="split", axis=1),
         helper.make_node("Transpose", ["a"], ["t"], name="transpose", perm=[0, 2, 1]),
         helper.make_node("Squeeze", ["b", "sq"], ["q"], name="squeeze"),
         helper.make_node("DepthToSpace", ["t4"], ["d"], name="d2s", blocksize=2),
         helper.make_node("Unsqueeze", ["t", "uq"], ["t4"], name="unsqueeze")],
        [vi("x", [1, 6, 8])], [vi("d", None), vi("q", None)],
        [i64("st", [0, -1]), i64("en", [6, -5]), i64("ax", [1, 2]), i64("sp", [1, -1]),
         i64("parts", [4, 2]), i64("sq", [0]), i64("uq", [3])])
    cases["cast_range_constant"] = model(
        [helper.make_node("Constant", [], ["c"], name="const",
                          value=numpy_helper.from_array(np.array([3, 1, 2], np.int32))),
         helper.make_node("Cast", ["c"], ["cf"], name="cast", to=TensorProto.FLOAT),
         helper.make_node("Range", ["start", "limit", "delta"], ["r"], name="range"),
         helper.make_node("ConstantOfShape", ["shp"], ["z"], name="cos",
                          value=numpy_helper.from_array(np.array([1.5], np.float32))),
         helper.make_node("Add", ["x", "cf"], ["a"], name="add"),
         helper.make_node("Mul", ["a", "z"], ["y"], name="mul")],
        [vi("x", [1, 3])], [vi("y", [1, 3]), vi("r", None)],
        [f32("start", 0.0), f32("limit", 5.0), f32("delta", 1.5), i64("shp", [1, 3])])
    cases["elementwise_float16_types"] = model(
        [helper.make_node("Clip", ["x", "lo", "hi"], ["c"], name="clip"),
         helper.make_node("Pow", ["c", "two"], ["p"], name="pow"),
         helper.make_node("Sqrt", ["p"], ["s"], name="sqrt"),
         helper.make_node("Div", ["s", "h"], ["y"], name="div")],
        [vi("x", [1, 4])], [vi("y", [1, 4])],
        [f32("lo", -1.0), f32("hi", 1.0), f32("two", 2.0),
         numpy_helper.from_array(np.array([0.5, 0, -0.0, np.inf], np.float16).astype(np.float32), "h")])
    return cases


# ---- npy ------------------------------------------------------------------

def npy_seeds():
    out = {}

    def save(name, a, version=None):
        buf = io.BytesIO()
        if version is None:
            np.save(buf, a)
        else:
            np.lib.format.write_array(buf, a, version=version)
        out[name] = buf.getvalue()

    for dt in ["<f4", "<f8", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "|b1"]:
        save("dtype_" + dt.strip("<|"), np.arange(6).reshape(2, 3).astype(dt))
    for dt in [">f4", ">i8", ">u2"]:
        save("bigendian_" + dt.strip(">"), np.arange(4).astype(dt))
    save("v2", np.ones((2, 2), np.float32), (2, 0))
    save("v3", np.ones((3,), np.float32), (3, 0))
    save("scalar", np.float32(1.5))
    save("empty", np.zeros((0, 4), np.float32))
    save("rank8", np.zeros((1,) * 8, np.float32))
    save("fortran", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    save("input_batch", np.random.default_rng(1).standard_normal((2, 1, 4, 4)).astype(np.float32))
    good = out["dtype_f4"]
    out["truncated_data"] = good[:-5]
    out["truncated_header"] = good[:20]
    hdr = b"{'descr': '<f4', 'fortran_order': False, 'shape': (18446744073709551615, 2), }"
    out["huge_shape"] = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr) + 1) + hdr + b"\n"
    hdr = b"{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }"
    out["structured"] = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr) + 1) + hdr + b"\n" + b"\0" * 8
    hdr = b"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"
    out["negative_dim"] = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr) + 1) + hdr + b"\n"
    return out


def main():
    os.makedirs(OUT_ONNX, exist_ok=True)
    os.makedirs(OUT_NPY, exist_ok=True)
    for name in sorted(os.listdir(os.path.join(ROOT, "tests", "models"))):
        if os.path.isdir(os.path.join(ROOT, "tests", "models", name)):
            onnx.save(shrink_model(name), os.path.join(OUT_ONNX, "shrunk_%s.onnx" % name))
    for name, m in edge_cases().items():
        onnx.save(m, os.path.join(OUT_ONNX, "edge_%s.onnx" % name))
    ops = set(sys.argv[1:]) if len(sys.argv) > 1 else None
    if os.path.isdir(CONF_DIR):
        supported = set(open(os.path.join(ROOT, "fuzz", "conformance_ops.txt")).read().split())
        for test in sorted(os.listdir(CONF_DIR)):
            path = os.path.join(CONF_DIR, test, "model.onnx")
            if not os.path.exists(path) or os.path.getsize(path) > 1500 or "expanded" in test:
                continue
            mp = onnx.load(path)
            if {n.op_type for n in mp.graph.node} <= supported and (ops is None or test in ops):
                with open(path, "rb") as src, open(os.path.join(OUT_ONNX, "conf_%s.onnx" % test[5:]), "wb") as dst:
                    dst.write(src.read())
    for name, data in npy_seeds().items():
        with open(os.path.join(OUT_NPY, name + ".npy"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
