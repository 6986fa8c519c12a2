#!/usr/bin/env python3
"""Compares npusim's saved tensors with ONNX Runtime's goldens, tensor by tensor.

GOLDEN_DIR is what scripts/ort_goldens.py wrote (manifest.json + .npy); SAVED_DIR is
`npusim run --workload MODEL --input NAME=FILE --save-tensors SAVED_DIR`. Prints one row per
tensor: elements, differing elements and the largest difference in LSB (quantized tensors: the
integer difference; float outputs: the difference divided by the DequantizeLinear scale that
produced them), and exits 1 if any tensor is missing or differs by more than --max-lsb.

Usage: ort_compare.py GOLDEN_DIR SAVED_DIR [--model MODEL.onnx] [--max-lsb N]
"""

import argparse
import json
import os
import sys

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
except ImportError as e:
    sys.exit("ort_compare.py: %s (apt-get install python3-onnx python3-numpy)" % e)


def output_scales(model_path):
    """Scale of each DequantizeLinear output (the graph's float outputs)."""
    if not model_path:
        return {}
    m = onnx.load(model_path)
    consts = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    return {n.output[0]: float(consts[n.input[1]].reshape(-1)[0])
            for n in m.graph.node if n.op_type == "DequantizeLinear" and n.input[1] in consts}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("golden")
    ap.add_argument("saved")
    ap.add_argument("--model")
    ap.add_argument("--max-lsb", type=int, default=0)
    a = ap.parse_args()
    with open(os.path.join(a.golden, "manifest.json")) as f:
        manifest = json.load(f)
    scales = output_scales(a.model)
    rows, bad = [], False
    for t in manifest["tensors"]:
        g = np.load(os.path.join(a.golden, t["file"]))
        path = os.path.join(a.saved, t["file"])
        if not os.path.exists(path):
            rows.append((t["name"], g.size, "missing", "-"))
            bad = True
            continue
        s = np.load(path)
        if s.shape != g.shape or s.dtype != g.dtype:
            rows.append((t["name"], g.size, "shape/type %s %s vs %s %s" % (s.shape, s.dtype, g.shape, g.dtype), "-"))
            bad = True
            continue
        if g.dtype.kind == "f":
            scale = scales.get(t["name"])
            d = np.abs(s.astype(np.float64) - g.astype(np.float64))
            lsb = np.rint(d / scale).astype(np.int64) if scale else (d > 0).astype(np.int64)
        else:
            lsb = np.abs(s.astype(np.int64) - g.astype(np.int64))
        diff = int(np.count_nonzero(lsb))
        worst = int(lsb.max()) if lsb.size else 0
        bad = bad or worst > a.max_lsb
        rows.append((t["name"], g.size, diff, worst))
    w = max(len(r[0]) for r in rows)
    print("%-*s %9s %9s %7s" % (w, "tensor", "elements", "differ", "max LSB"))
    for name, n, diff, worst in rows:
        print("%-*s %9d %9s %7s" % (w, name, n, diff, worst))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
