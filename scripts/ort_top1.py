#!/usr/bin/env python3
"""ONNX Runtime's predicted classes on a labelled image set, as a golden file.

Runs each MODEL in ONNX Runtime (npm onnxruntime-node, CPU, one thread, default graph
optimizations: scripts/ort_run.js --batch) once per image of IMAGES.npy (N, C, H, W float32; each
run gets one image as the model's batch of 1), takes the top-1 class of the first graph output
(numpy.argmax: the first index on ties) and writes OUT.json:

  {"images": ..., "labels": ..., "onnxruntime": ..., "count": N,
   "models": {"<model file>": {"predictions": [N classes], "correct": k, "top1": k / N}}}

tests/onnx/goldens/digits_top1.json is this script's output for the committed digits models on
the 360-image test split (scripts/train_digits.py's split; tests/onnx/models/digits_test.npy and
digits_labels.npy are workloads/digits' test_images.f32 / test_labels.u8 in NCHW):

  /usr/bin/python3 scripts/ort_top1.py tests/onnx/models/digits_test.npy \\
      tests/onnx/models/digits_labels.npy tests/onnx/goldens/digits_top1.json \\
      tests/onnx/models/digits_qdq.onnx tests/onnx/models/digits_qlinear.onnx

onnxruntime-node is installed as scripts/ort_goldens.py does (npm install --ignore-scripts into
build/ort-cache, or --cache / $NPUSIM_ORT_CACHE). Run with /usr/bin/python3 (Debian's
python3-onnx and python3-numpy).

Usage: ort_top1.py IMAGES.npy LABELS.npy OUT.json MODEL... [--cache DIR] [--ort-version V]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ort_goldens import ORT_VERSION, ROOT, ensure_ort, np, onnx  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("images")
    ap.add_argument("labels")
    ap.add_argument("out")
    ap.add_argument("models", nargs="+")
    ap.add_argument("--cache", default=os.environ.get("NPUSIM_ORT_CACHE", os.path.join(ROOT, "build", "ort-cache")))
    ap.add_argument("--ort-version", default=ORT_VERSION)
    a = ap.parse_args()
    images = np.load(a.images)
    labels = np.load(a.labels)
    if images.ndim < 2 or labels.shape != (images.shape[0],):
        sys.exit("ort_top1.py: %s has shape %s, %s has %s: expected N images and N labels"
                 % (a.images, images.shape, a.labels, labels.shape))
    node_path = ensure_ort(a.cache, a.ort_version)
    result = {
        "images": os.path.basename(a.images),
        "labels": os.path.basename(a.labels),
        "onnxruntime": "onnxruntime-node " + a.ort_version + " (CPU, 1 thread, default optimizations)",
        "count": int(images.shape[0]),
        "models": {},
    }
    for model in a.models:
        input_name = onnx.load(model).graph.input[0].name
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "outputs.json")
            r = subprocess.run(["node", os.path.join(ROOT, "scripts", "ort_run.js"), "--batch",
                                model, input_name, a.images, out],
                               env=dict(os.environ, NODE_PATH=node_path), capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit("ONNX Runtime failed on %s:\n%s" % (model, r.stderr))
            with open(out) as f:
                outputs = np.array(json.load(f)["outputs"], dtype=np.float32)
        if outputs.shape[0] != images.shape[0]:
            sys.exit("ort_top1.py: %d outputs for %d images" % (outputs.shape[0], images.shape[0]))
        pred = [int(np.argmax(o)) for o in outputs]
        correct = int(sum(p == int(l) for p, l in zip(pred, labels)))
        result["models"][os.path.basename(model)] = {
            "predictions": pred,
            "correct": correct,
            "top1": correct / len(pred),
        }
        print("%s: top-1 %d/%d (%.2f%%)" % (model, correct, len(pred), 100.0 * correct / len(pred)))
    text = json.dumps(result, indent=1, sort_keys=True)
    for m in result["models"].values():  # one line per prediction list
        text = text.replace(json.dumps(m["predictions"], indent=1).replace("\n", "\n   "),
                            json.dumps(m["predictions"]), 1)
    with open(a.out, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
