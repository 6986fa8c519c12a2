#!/usr/bin/env python3
"""Train a small CNN on scikit-learn's 8x8 digits and write workloads/digits/ (weights, test split,
calibration images, expected accuracies and the INT8 post-training-quantization parameters).

Regenerates every file under workloads/digits/ except the YAML (which the C++ side writes).
How to run (Debian's Python, where the packages live):
    apt-get install python3-sklearn python3-torch
    /usr/bin/python3 scripts/train_digits.py [--out DIR]
Training is on the CPU with fixed seeds, one thread and torch's deterministic algorithms, so a
re-run on the same package versions writes the same bytes. After writing, the script RELOADS the
files and computes both accuracies from them only (numpy, independent of torch), so expected.json
describes exactly what is committed.

Data. X = load_digits().data / 16 (float32, in [0, 1]), y = labels. Split:
train_test_split(X, y, test_size=360, random_state=0, stratify=y). Calibration images are the first
128 images of the training split.

Network (tensors are HWC, batch 1):
    input [8,8,1] -> conv1 3x3, 8 out, stride 1, pad 1, bias, ReLU -> [8,8,8]
    -> pool1 maxpool 2x2 stride 2 -> [4,4,8]
    -> conv2 3x3, 16 out, stride 1, pad 1, bias, ReLU -> [4,4,16]
    -> pool2 maxpool 2x2 stride 2 -> [2,2,16]
    -> fc 64 -> 10 logits over the HWC flatten of pool2 (index (h*2+w)*16+c), bias.
Prediction = argmax of the logits, ties to the lowest index.

Files (raw little-endian, no header):
    conv1.weight.f32 [8][3][3][1] OHWI     conv1.bias.f32 [8]
    conv2.weight.f32 [16][3][3][8] OHWI    conv2.bias.f32 [16]
    fc.weight.f32    [10][64] (inputs in HWC-flatten order)   fc.bias.f32 [10]
    test_images.f32  [360][8][8][1]   test_labels.u8 [360]   calib_images.f32 [128][8][8][1]
    expected.json    accuracies, counts, quantization parameters, per-image predictions.

fp32 evaluation: numpy float32 forward pass in HWC layout (conv = b + sum over (kh,kw,ic) of x*w,
zero padding, ReLU, maxpool, fc). torch's own count is reported as torch_fp32_correct.

INT8 emulation (post-training quantization; npusim's PTQ implements exactly this). All scale
arithmetic is in float64 (the float32 weights/activations are widened first), in the order
written; rint is round half to even (np.rint; in C++ std::nearbyint in the default rounding mode,
NOT std::round, which rounds halves away from zero); clamp(v, a, b) = min(max(v, a), b).
Exact halves do occur: pixel 8/16 = 0.5 divided by the input scale 1/255 is exactly 127.5, so
compute x / s_in as a division (not x * (1 / s_in)) with s_in = (hi - lo) / 255 in float64.
  * Activation tensors: the input, conv1's output (after ReLU), conv2's output (after ReLU) and fc's
    logits. pool1/pool2 outputs reuse their input's quantization. Each is calibrated on the 128
    calibration images with the fp32 forward pass: lo = min(0, min value), hi = max(0, max value)
    over all images. Asymmetric int8: scale = (hi - lo) / 255 (1.0 if that is 0),
    zero_point = clamp(rint(-128 - lo / scale), -128, 127).
  * Weights, per output channel c, symmetric: s_w[c] = max|w[c,...]| / 127 (1.0 if 0),
    w_q = clamp(rint(w / s_w[c]), -127, 127).
  * Bias: b_q[c] = rint(b[c] / (s_in * s_w[c])) as int64 (fits int32), s_in = the layer's input
    scale.
  * Input quantization: x_q = clamp(rint(x / s_in) + zp_in, -128, 127).
  * conv/fc: acc = b_q[c] + sum over taps of (x_q - zp_in) * w_q (integer; padding taps contribute
    0, i.e. padding is the real value 0); out = clamp(rint(acc * M[c]) + zp_out, lo, 127) with
    M[c] = s_in * s_w[c] / s_out and acc * M[c] in float64; lo = max(zp_out, -128) for the layers
    with ReLU (conv1, conv2) and -128 for fc.
  * maxpool: max of the int8 values.
  * Prediction: argmax of the int8 logits, ties to the lowest index.
"""

import argparse
import json
import os
import sys

import numpy as np

NUM_TEST = 360
NUM_CALIB = 128
SEED = 0
EPOCHS = 40
BATCH = 32
LR = 3e-3

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------------------------------
# Data and training (torch)
# ---------------------------------------------------------------------------------------------
def load_split():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = (d.data / 16.0).astype(np.float32).reshape(-1, 8, 8, 1)  # HWC, C = 1
    y = d.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=NUM_TEST, random_state=0, stratify=y)
    return x_train, y_train, x_test, y_test


def train(x_train, y_train):
    import torch
    import torch.nn as nn

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=1, padding=1, bias=True), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(8, 16, 3, stride=1, padding=1, bias=True), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),  # NCHW flatten: index c*4 + h*2 + w
        nn.Linear(64, 10, bias=True))
    xt = torch.from_numpy(np.ascontiguousarray(x_train.transpose(0, 3, 1, 2)))  # NCHW
    yt = torch.from_numpy(y_train)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(SEED)
    n = xt.shape[0]
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * idx.numel()
        if epoch % 10 == 9 or epoch == EPOCHS - 1:
            print(f"epoch {epoch + 1:3d}  train loss {total / n:.4f}")
    model.eval()
    return model


def torch_correct(model, x, y):
    import torch

    with torch.no_grad():
        logits = model(torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))).numpy()
    return int((np.argmax(logits, axis=1) == y).sum())


def export_weights(model):
    """torch (OIHW convs, CHW-flatten fc) -> the committed layouts (OHWI, HWC-flatten fc)."""
    conv1, conv2, fc = model[0], model[3], model[7]
    w1 = conv1.weight.detach().numpy().transpose(0, 2, 3, 1)  # O,I,H,W -> O,H,W,I
    w2 = conv2.weight.detach().numpy().transpose(0, 2, 3, 1)
    # fc column for torch index c*4 + h*2 + w goes to HWC index (h*2+w)*16 + c.
    wf = fc.weight.detach().numpy().reshape(10, 16, 2, 2).transpose(0, 2, 3, 1).reshape(10, 64)
    return {
        "conv1.weight": w1, "conv1.bias": conv1.bias.detach().numpy(),
        "conv2.weight": w2, "conv2.bias": conv2.bias.detach().numpy(),
        "fc.weight": wf, "fc.bias": fc.bias.detach().numpy(),
    }


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------
SHAPES = {
    "conv1.weight": (8, 3, 3, 1), "conv1.bias": (8,),
    "conv2.weight": (16, 3, 3, 8), "conv2.bias": (16,),
    "fc.weight": (10, 64), "fc.bias": (10,),
}


def write_f32(path, a, shape):
    a = np.ascontiguousarray(a, dtype="<f4")
    assert a.shape == shape, (path, a.shape, shape)
    a.tofile(path)


def read_f32(path, shape):
    a = np.fromfile(path, dtype="<f4")
    if a.size != int(np.prod(shape)):
        sys.exit(f"{path}: expected {int(np.prod(shape))} float32 values, found {a.size}")
    return a.astype(np.float32).reshape(shape)


# ---------------------------------------------------------------------------------------------
# numpy forward passes (HWC, batched over a leading N axis; independent of torch)
# ---------------------------------------------------------------------------------------------
def conv3x3_f32(x, w, b):
    """x [N,H,W,I] float32, w [O,3,3,I], b [O]; stride 1, zero padding 1."""
    n, h, wd, _ = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    out = np.broadcast_to(b, (n, h, wd, b.shape[0])).astype(np.float32)
    for kh in range(3):
        for kw in range(3):
            out = out + np.einsum("nhwi,oi->nhwo", xp[:, kh:kh + h, kw:kw + wd, :],
                                  w[:, kh, kw, :]).astype(np.float32)
    return out


def maxpool2x2(x):
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def forward_f32(p, x):
    """Returns the activation tensors that get quantized: input, conv1, conv2, fc (logits)."""
    a1 = np.maximum(conv3x3_f32(x, p["conv1.weight"], p["conv1.bias"]), np.float32(0))
    a2 = np.maximum(conv3x3_f32(maxpool2x2(a1), p["conv2.weight"], p["conv2.bias"]),
                    np.float32(0))
    flat = maxpool2x2(a2).reshape(x.shape[0], 64)  # HWC flatten: (h*2+w)*16 + c
    logits = (np.einsum("nk,ok->no", flat, p["fc.weight"]) + p["fc.bias"]).astype(np.float32)
    return {"input": x, "conv1": a1, "conv2": a2, "fc": logits}


def act_qparams(t):
    lo = min(0.0, float(t.min()))
    hi = max(0.0, float(t.max()))
    scale = (hi - lo) / 255.0
    if scale == 0.0:
        scale = 1.0
    zp = int(np.clip(np.rint(-128.0 - lo / scale), -128, 127))
    return {"scale": scale, "zero_point": zp, "min": lo, "max": hi}


def weight_qparams(w):
    w = w.astype(np.float64)
    s = np.abs(w.reshape(w.shape[0], -1)).max(axis=1) / 127.0
    s[s == 0.0] = 1.0
    wq = np.clip(np.rint(w / s.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int64)
    return s, wq


def requant(acc, s_in, s_w, q_out, relu):
    m = s_in * s_w / q_out["scale"]  # float64, per output channel (last axis)
    lo = max(q_out["zero_point"], -128) if relu else -128
    return np.clip(np.rint(acc.astype(np.float64) * m) + q_out["zero_point"], lo,
                   127).astype(np.int64)


def conv3x3_int(xq, zp_in, wq, bq):
    """Integer conv: bq + sum (xq - zp_in) * wq; padding taps contribute 0."""
    n, h, wd, _ = xq.shape
    xc = np.pad(xq - zp_in, ((0, 0), (1, 1), (1, 1), (0, 0)))  # 0 = real zero after centring
    acc = np.broadcast_to(bq, (n, h, wd, bq.shape[0])).astype(np.int64)
    for kh in range(3):
        for kw in range(3):
            acc = acc + np.einsum("nhwi,oi->nhwo", xc[:, kh:kh + h, kw:kw + wd, :],
                                  wq[:, kh, kw, :])
    return acc


def build_int8(p, q):
    """Per-layer int8 parameters from float weights p and activation qparams q."""
    layers = {}
    for name, src in (("conv1", "input"), ("conv2", "conv1"), ("fc", "conv2")):
        s_w, wq = weight_qparams(p[name + ".weight"])
        s_in = q[src]["scale"]
        bq = np.rint(p[name + ".bias"].astype(np.float64) / (s_in * s_w)).astype(np.int64)
        assert np.all(np.abs(bq) < 2**31), name
        layers[name] = {"in": src, "s_w": s_w, "wq": wq, "bq": bq}
    return layers


def forward_int8(layers, q, x):
    qi = q["input"]
    xq = np.clip(np.rint(x.astype(np.float64) / qi["scale"]) + qi["zero_point"], -128,
                 127).astype(np.int64)
    l1 = layers["conv1"]
    a1 = requant(conv3x3_int(xq, qi["zero_point"], l1["wq"], l1["bq"]), qi["scale"], l1["s_w"],
                 q["conv1"], relu=True)
    p1 = maxpool2x2(a1)
    l2 = layers["conv2"]
    a2 = requant(conv3x3_int(p1, q["conv1"]["zero_point"], l2["wq"], l2["bq"]),
                 q["conv1"]["scale"], l2["s_w"], q["conv2"], relu=True)
    flat = maxpool2x2(a2).reshape(x.shape[0], 64)
    lf = layers["fc"]
    acc = lf["bq"] + np.einsum("nk,ok->no", flat - q["conv2"]["zero_point"], lf["wq"])
    return requant(acc, q["conv2"]["scale"], lf["s_w"], q["fc"], relu=False)


# ---------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, "workloads", "digits"),
                    help="output directory (default: workloads/digits in the repo)")
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)

    x_train, y_train, x_test, y_test = load_split()
    model = train(x_train, y_train)
    torch_fp32 = torch_correct(model, x_test, y_test)

    for name, a in export_weights(model).items():
        write_f32(os.path.join(out, name + ".f32"), a, SHAPES[name])
    write_f32(os.path.join(out, "test_images.f32"), x_test, (NUM_TEST, 8, 8, 1))
    np.ascontiguousarray(y_test, dtype=np.uint8).tofile(os.path.join(out, "test_labels.u8"))
    write_f32(os.path.join(out, "calib_images.f32"), x_train[:NUM_CALIB], (NUM_CALIB, 8, 8, 1))

    # ---- From here on, only the files on disk are used. ----
    p = {name: read_f32(os.path.join(out, name + ".f32"), shape) for name, shape in SHAPES.items()}
    xt = read_f32(os.path.join(out, "test_images.f32"), (NUM_TEST, 8, 8, 1))
    yt = np.fromfile(os.path.join(out, "test_labels.u8"), dtype=np.uint8).astype(np.int64)
    assert yt.size == NUM_TEST
    xc = read_f32(os.path.join(out, "calib_images.f32"), (NUM_CALIB, 8, 8, 1))

    pred_f32 = np.argmax(forward_f32(p, xt)["fc"], axis=1)  # argmax: ties to the lowest index
    fp32_correct = int((pred_f32 == yt).sum())

    calib = forward_f32(p, xc)
    q = {name: act_qparams(calib[name]) for name in ("input", "conv1", "conv2", "fc")}
    layers = build_int8(p, q)
    pred_i8 = np.argmax(forward_int8(layers, q, xt), axis=1)
    int8_correct = int((pred_i8 == yt).sum())

    expected = {
        "test_images": NUM_TEST,
        "fp32_correct": fp32_correct,
        "fp32_accuracy": fp32_correct / NUM_TEST,
        "int8_correct": int8_correct,
        "int8_accuracy": int8_correct / NUM_TEST,
        "calibration_images": NUM_CALIB,
        "torch_fp32_correct": torch_fp32,
        "activation_quant": q,  # pool1/pool2 reuse conv1/conv2
        "weight_scales": {name: [float(s) for s in layers[name]["s_w"]] for name in layers},
        "bias_q": {name: [int(b) for b in layers[name]["bq"]] for name in layers},
        "fp32_predictions": [int(v) for v in pred_f32],
        "int8_predictions": [int(v) for v in pred_i8],
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")

    print(f"fp32 (numpy, from files): {fp32_correct}/{NUM_TEST} = {fp32_correct / NUM_TEST:.4f}"
          f"   (torch: {torch_fp32}/{NUM_TEST})")
    print(f"int8 (PTQ emulation):     {int8_correct}/{NUM_TEST} = {int8_correct / NUM_TEST:.4f}")
    for name, v in q.items():
        print(f"  {name:6s} scale {v['scale']:.8g}  zero_point {v['zero_point']:4d}"
              f"  range [{v['min']:.6g}, {v['max']:.6g}]")
    if fp32_correct != torch_fp32:
        print("warning: numpy and torch fp32 counts differ", file=sys.stderr)


if __name__ == "__main__":
    main()
