#!/usr/bin/env python3
"""Runs ONNX Runtime itself on a model and writes every quantized tensor it computes as .npy.

ONNX Runtime (npm onnxruntime-node, CPU, one intra-op and one inter-op thread, default graph
optimizations as a user gets them) runs MODEL on INPUT. Exposing a tensor as a graph output can
stop ORT's QDQ fusions and change what it computes, so the tensors exposed are the ones that
survive fusion: the script first runs the model as it is and reads ORT's optimized model (every
node output of integer type there is a quantized tensor between fused groups), then runs a copy
with those tensors added as graph outputs and checks that ORT's optimized graph is unchanged
(same nodes, same operators, same wiring). The graph outputs and the exposed tensors are written
to OUT_DIR/<name>.npy (names sanitized as npusim's --save-tensors does: every character other
than letters, digits, '.', '-' and '_' becomes '_'), with OUT_DIR/manifest.json listing them and
the fused operators.

onnxruntime-node is installed with `npm install --ignore-scripts` into a cache folder (default
build/ort-cache, or --cache / $NPUSIM_ORT_CACHE) the first time. Needs node, npm and Debian's
python3-onnx and python3-numpy; run with /usr/bin/python3.

Usage: ort_goldens.py MODEL INPUT.npy OUT_DIR [--cache DIR] [--ort-version V]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import onnx
    from onnx import helper, TensorProto
except ImportError as e:
    sys.exit("ort_goldens.py: %s (apt-get install python3-onnx python3-numpy; run with "
             "/usr/bin/python3)" % e)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORT_VERSION = "1.31.1"
INT_TYPES = (TensorProto.UINT8, TensorProto.INT8)


def ensure_ort(cache, version):
    mod = os.path.join(cache, "node_modules", "onnxruntime-node")
    if os.path.isdir(mod):
        return os.path.join(cache, "node_modules")
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            sys.exit("ort_goldens.py: '%s' is not installed (Node.js with npm is needed)" % tool)
    os.makedirs(cache, exist_ok=True)
    print("installing onnxruntime-node@%s into %s (npm install --ignore-scripts)" % (version, cache))
    subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix",
                    cache, "onnxruntime-node@" + version], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(cache, "node_modules")


def run_ort(node_path, model, input_name, input_file, out_dir, opt_file):
    env = dict(os.environ, NODE_PATH=node_path)
    r = subprocess.run(["node", os.path.join(ROOT, "scripts", "ort_run.js"), model, input_name,
                        input_file, out_dir, opt_file], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("ONNX Runtime failed on %s:\n%s" % (model, r.stderr))


def signature(model):
    """The optimized graph's nodes, for comparing two of ORT's optimizations."""
    return [(n.op_type, n.domain, tuple(n.input), tuple(n.output)) for n in model.graph.node]


MOVES = ("Transpose", "Flatten", "Reshape", "MaxPool", "NhwcMaxPool", "Squeeze", "Unsqueeze",
         "Identity", "Cast", "Concat", "Split")


def quantized_tensors(opt, original):
    """Integer-typed outputs of the optimized graph's nodes that the original model also has.
    ORT's optimized model carries no value_info, so types follow the operators: QuantizeLinear
    and QLinear* produce their zero point's type, data movement keeps its input's."""
    types = {}
    inits = {t.name: t for t in opt.graph.initializer}
    for v in list(opt.graph.input) + list(opt.graph.value_info):
        if v.type.HasField("tensor_type"):
            types[v.name] = v.type.tensor_type.elem_type
    for n in opt.graph.node:
        op = n.op_type
        t = TensorProto.FLOAT
        zp = None
        if op == "QuantizeLinear":
            zp = n.input[2] if len(n.input) > 2 else ""
        elif op.startswith("QLinear") or op == "QGemm":
            zp = {"QLinearConcat": 1, "QGemm": 8, "QLinearConv": 7, "QLinearMatMul": 7,
                  "QLinearAdd": 7, "QLinearMul": 7}.get(op, 4)
            zp = n.input[zp] if zp < len(n.input) else ""
            if op == "QGemm" and len(n.input) <= 7:
                zp = None
        if zp is not None:
            t = inits[zp].data_type if zp in inits else TensorProto.UINT8
        elif op in MOVES and n.input and n.input[0] in types:
            t = types[n.input[0]]
        for o in n.output:
            if o:
                types.setdefault(o, t)
    # ORT's layout transformer runs QLinearConv & co. channels-last between Transposes and names
    # their outputs after the node; track NHWC tensors and map them to the original Q outputs.
    nhwc = set()
    for n in opt.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        if n.op_type == "Transpose":
            is_nhwc = list(attrs.get("perm", [])) == [0, 2, 3, 1]
        elif "channels_last" in attrs or n.op_type.startswith("Nhwc"):
            is_nhwc = attrs.get("channels_last", 1) == 1
        else:
            first = n.input[2] if n.op_type == "QLinearConcat" else (n.input[0] if n.input else "")
            is_nhwc = first in nhwc
        if is_nhwc:
            nhwc.update(o for o in n.output if o)
    known = {o for n in original.graph.node for o in n.output}
    by_name = {n.name: n for n in original.graph.node}
    consumers = {}
    for n in original.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def q_output(node):
        """The QuantizeLinear output an original (target) node's result becomes."""
        own = node.output[0] if (node.op_type.startswith("QLinear") or
                                 node.op_type in ("QGemm", "MaxPool")) else None
        t = node.output[0]
        for _ in range(3):
            cs = consumers.get(t, [])
            if len(cs) != 1:
                return own
            if cs[0].op_type == "QuantizeLinear":
                return cs[0].output[0]
            if cs[0].op_type not in ("Relu", "Clip"):
                return own  # operator form: the node's own quantized output
            t = cs[0].output[0]
        return own

    names = []  # (tensor in the optimized graph, original name, is NHWC)
    for n in opt.graph.node:
        for o in n.output:
            if not o or types.get(o) not in INT_TYPES:
                continue
            orig = o if o in known else None
            if orig is None:
                base = re.sub(r"_token_\d+$", "", n.name)
                if base in by_name:
                    orig = q_output(by_name[base])
            if orig and orig not in [x[1] for x in names]:
                names.append((o, orig, o in nhwc))
    return names, types


def file_name(name):
    s = "".join(c if (c.isalnum() and c.isascii()) or c in "._-" else "_" for c in name)
    return "_" + s if s in ("", ".", "..") else s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("input")
    ap.add_argument("out")
    ap.add_argument("--cache", default=os.environ.get("NPUSIM_ORT_CACHE", os.path.join(ROOT, "build", "ort-cache")))
    ap.add_argument("--ort-version", default=ORT_VERSION)
    a = ap.parse_args()
    node_path = ensure_ort(a.cache, a.ort_version)
    model = onnx.load(a.model)
    input_name = model.graph.input[0].name
    with tempfile.TemporaryDirectory() as tmp:
        opt1 = os.path.join(tmp, "opt1.onnx")
        run_ort(node_path, a.model, input_name, a.input, os.path.join(tmp, "plain"), opt1)
        opt = onnx.load(opt1)
        names, types = quantized_tensors(opt, model)
        outputs = [o.name for o in model.graph.output]
        extra = [x for x in names if x[1] not in outputs]
        # Expose them in ORT's own optimized model (the NHWC tensors exist only there); its
        # re-optimization must be the same graph.
        exposed = onnx.load(opt1)
        for t, _, _ in extra:
            exposed.graph.output.append(helper.make_tensor_value_info(t, types[t], None))
        exposed_path = os.path.join(tmp, "exposed.onnx")
        onnx.save(exposed, exposed_path)
        os.makedirs(a.out, exist_ok=True)
        for f in os.listdir(a.out):
            if f.endswith(".npy"):
                os.remove(os.path.join(a.out, f))
        opt2 = os.path.join(tmp, "opt2.onnx")
        run_ort(node_path, exposed_path, input_name, a.input, a.out, opt2)
        for t, orig, is_nhwc in extra:  # name and lay out as the original model has them
            src = os.path.join(a.out, file_name(t) + ".npy")
            v = np.load(src)
            os.remove(src)
            if is_nhwc:
                v = np.ascontiguousarray(v.transpose(0, 3, 1, 2))
            np.save(os.path.join(a.out, file_name(orig) + ".npy"), v)
        if signature(onnx.load(opt2)) != signature(opt):
            sys.exit("ort_goldens.py: exposing the quantized tensors of %s changed ONNX Runtime's "
                     "optimized graph; the goldens would not be what ORT computes" % a.model)
        plain = os.path.join(tmp, "plain")
        for f in os.listdir(plain):  # the graph outputs must not change either
            if not np.array_equal(np.load(os.path.join(plain, f)), np.load(os.path.join(a.out, f))):
                sys.exit("ort_goldens.py: graph output %s differs once tensors are exposed" % f)
        ops = {}
        for n in opt.graph.node:
            key = (n.domain + "." if n.domain else "") + n.op_type
            ops[key] = ops.get(key, 0) + 1
    manifest = {
        "model": os.path.basename(a.model),
        "input": {"name": input_name, "file": os.path.basename(a.input)},
        "onnxruntime": "onnxruntime-node " + a.ort_version + " (CPU, 1 thread, default optimizations)",
        "outputs": outputs,
        "tensors": [{"name": n, "file": file_name(n) + ".npy"} for n in outputs] +
                   [{"name": orig, "file": file_name(orig) + ".npy", "ort_tensor": t,
                     "ort_layout": "NHWC" if is_nhwc else "NCHW"} for t, orig, is_nhwc in extra],
        "optimized_ops": ops,
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print("%s: %d tensors (%s)" % (a.model, len(manifest["tensors"]),
                                    ", ".join("%s %d" % kv for kv in sorted(ops.items()))))


if __name__ == "__main__":
    main()
