#!/usr/bin/env python3
"""Writes the ONNX test models of npusim's ONNX import (docs/onnx.md) and their input data.

Each small network comes in three forms:
  NAME_fp32.onnx     the float model (torch.onnx.export)
  NAME_qdq.onnx      torch's QDQ export of an eager-mode post-training static quantization
                     (QuantStub/DeQuantStub, min/max observers, uint8 activations, int8
                     per-channel symmetric weights; torch's artefacts kept: weights as Constant
                     nodes, a no-op Cast after every QuantizeLinear, bias zero points from
                     ConstantOfShape -> Cast)
  NAME_qlinear.onnx  the same quantized network in ONNX Runtime's quantizer's operator form,
                     written with onnx.helper: QuantizeLinear, QLinearConv, com.microsoft QGemm,
                     QLinearAdd, QLinearGlobalAveragePool, QLinearAveragePool, QLinearConcat,
                     QLinearSigmoid, QLinearLeakyRelu, QLinearSoftmax, QLinearMatMul, MaxPool /
                     Flatten / Reshape / Transpose on uint8, DequantizeLinear
and an input NAME_input.npy (float32, NCHW as the model has it) plus NAME_calib.npy (calibration
images for the float model). Networks:
  digits       the 8x8 digits CNN with the trained weights of workloads/digits/ (Conv, ReLU,
               MaxPool, Flatten, Gemm); NAME_test.npy / NAME_labels.npy: the 360-image test split
  residual     a residual block network (Conv+BatchNorm+ReLU, Add, GlobalAveragePool, Gemm)
  depthwise    a depthwise-separable network (grouped Conv, AveragePool, MaxPool, Concat,
               LeakyReLU, Sigmoid, GlobalAveragePool, Gemm)
  transformer  one pre-norm transformer block, sequence 8, width 16, 2 heads (LayerNormalization,
               MatMul, Reshape/Transpose head split, Softmax, Erf GELU, Add); torch cannot
               quantize attention in eager mode, so its QDQ form is written with onnx.helper from
               min/max ranges of the float model's activations, like the QLinear forms.
With --large DIR it also writes, not for the repository: resnet18_qdq.onnx and
mobilenet_v2_qdq.onnx (torchvision's quantizable models, random weights, QDQ export) and
resnet50_fp32.onnx (~100 MB, for the import-speed benchmark), with inputs.

Usage (Debian's Python and packages; the script says what is missing):
    apt-get install python3-torch python3-torchvision python3-onnx python3-numpy
    /usr/bin/python3 scripts/make_onnx_models.py [--out tests/onnx/models] [--large DIR]
Deterministic: fixed seeds, one thread.
"""

import argparse
import os
import sys

MISSING = []
try:
    import numpy as np
except ImportError:
    MISSING.append("python3-numpy")
try:
    import torch
    import torch.nn as nn
    from torch.ao import quantization as tq
except ImportError:
    MISSING.append("python3-torch")
try:
    import onnx
    from onnx import helper, numpy_helper, TensorProto
except ImportError:
    MISSING.append("python3-onnx")
if MISSING:
    sys.exit("make_onnx_models.py: missing Debian packages: %s (apt-get install %s; run with "
             "/usr/bin/python3)" % (", ".join(MISSING), " ".join(MISSING)))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSET = 13


def qconfig():
    return tq.QConfig(
        activation=tq.MinMaxObserver.with_args(dtype=torch.quint8,
                                               qscheme=torch.per_tensor_affine),
        weight=tq.PerChannelMinMaxObserver.with_args(dtype=torch.qint8,
                                                     qscheme=torch.per_channel_symmetric))


def export(model, x, path, opset=OPSET):
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)


def quantize_eager(model, calib, fuse):
    """Eager-mode PTQ: fuse, observe the calibration images, convert (qnnpack engine)."""
    torch.backends.quantized.engine = "qnnpack"
    model.eval()
    if fuse:
        tq.fuse_modules(model, fuse, inplace=True)
    model.qconfig = qconfig()
    tq.prepare(model, inplace=True)
    with torch.no_grad():
        for i in range(calib.shape[0]):
            model(calib[i:i + 1])
    tq.convert(model, inplace=True)
    return model


# ------------------------------------------------------------------ QDQ -> QLinear operator form

class Graph:
    """A mutable view of an ONNX graph: constants folded to numpy, nodes by output."""

    def __init__(self, model):
        self.model = model
        g = model.graph
        self.const = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.nodes = []
        for n in g.node:
            if n.op_type == "Constant":
                self.const[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
                continue
            self.nodes.append(n)
        changed = True
        while changed:  # fold Cast / ConstantOfShape / Mul / Div on constants
            changed = False
            keep = []
            for n in self.nodes:
                if all(i in self.const for i in n.input if i) and n.op_type in (
                        "Cast", "ConstantOfShape", "Mul", "Div", "Identity"):
                    self.const[n.output[0]] = self.fold(n)
                    changed = True
                else:
                    keep.append(n)
            self.nodes = keep
        # A Pad of zeros (torch writes one before AveragePool) is the identity.
        alias = {}
        keep = []
        for n in self.nodes:
            if n.op_type == "Pad" and not np.any(self.const.get(n.input[1], np.ones(1))):
                alias[n.output[0]] = n.input[0]
            else:
                keep.append(n)
        self.nodes = keep
        for n in self.nodes:
            for k, i in enumerate(n.input):
                while i in alias:
                    i = alias[i]
                n.input[k] = i
        self.producer = {o: n for n in self.nodes for o in n.output}
        self.consumers = {}
        for n in self.nodes:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)

    def fold(self, n):
        v = [self.const[i] for i in n.input if i]
        if n.op_type == "Cast":
            to = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[n.attribute[0].i]
            return v[0].astype(to)
        if n.op_type == "ConstantOfShape":
            val = numpy_helper.to_array(n.attribute[0].t) if n.attribute else np.zeros(1, np.float32)
            return np.full(tuple(v[0]), val.reshape(-1)[0], dtype=val.dtype)
        if n.op_type == "Mul":
            return (v[0] * v[1]).astype(v[0].dtype)
        if n.op_type == "Div":
            return (v[0] / v[1]).astype(v[0].dtype)
        return v[0]


def to_qlinear(qdq_model, out_path, opset=OPSET):
    """Rewrites a QDQ graph (torch's export or ours) into ORT's quantizer's operator form."""
    g = Graph(qdq_model)
    inits, nodes = [], []
    names = set()

    def const(name, value):
        if name not in names:
            names.add(name)
            inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def strip_cast(t):
        # torch: QuantizeLinear -> Cast(no-op) -> DequantizeLinear; follow the Cast back.
        p = g.producer.get(t)
        while p is not None and p.op_type == "Cast":
            t = p.input[0]
            p = g.producer.get(t)
        return t

    def dq_of(t):
        """(quantized tensor, scale name, zp name) of a DequantizeLinear output."""
        p = g.producer[t]
        assert p.op_type == "DequantizeLinear", (t, p.op_type)
        q = strip_cast(p.input[0])
        s = const(q + "_scale", g.const[p.input[1]])
        z = const(q + "_zero_point", g.const[p.input[2]])
        return q, s, z, p

    def q_after(t):
        """The QuantizeLinear consuming float t (possibly through Relu/Clip)."""
        cs = g.consumers[t]
        assert len(cs) == 1, t
        c = cs[0]
        if c.op_type in ("Relu", "Clip"):
            c = g.consumers[c.output[0]][0]
        assert c.op_type == "QuantizeLinear", c.op_type
        return c.output[0], g.const[c.input[1]], g.const[c.input[2]]

    def out_params(q):
        return const(q + "_scale", q_scale[q]), const(q + "_zero_point", q_zp[q])

    emitted_dq = set()

    def float_node(n):
        """A node ORT's quantizer leaves in float: DequantizeLinear its quantized inputs, keep
        it, QuantizeLinear the outputs a QuantizeLinear consumed."""
        ins = []
        for t in n.input:
            p = g.producer.get(t)
            if p is not None and p.op_type == "DequantizeLinear":
                q, s, z, _ = dq_of(t)
                if t not in emitted_dq:
                    emitted_dq.add(t)
                    nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [t]))
            elif t in g.const:
                const(t, g.const[t])
            ins.append(t)
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        nodes.append(helper.make_node(n.op_type, ins, list(n.output), domain=n.domain, **attrs))
        for o in n.output:
            for c in g.consumers.get(o, []):
                if c.op_type == "QuantizeLinear":
                    s, z = out_params(c.output[0])
                    nodes.append(helper.make_node("QuantizeLinear", [o, s, z], [c.output[0]]))

    def all_dq(n):
        return all(g.producer.get(t) is not None and g.producer[t].op_type == "DequantizeLinear"
                   for t in n.input if t)

    q_scale, q_zp = {}, {}
    for n in g.nodes:
        if n.op_type == "QuantizeLinear":
            q_scale[n.output[0]] = g.const[n.input[1]]
            q_zp[n.output[0]] = g.const[n.input[2]]
    ms = helper.make_opsetid("com.microsoft", 1)

    for n in g.nodes:
        op = n.op_type
        if op in ("LayerNormalization", "Div", "Erf") or (op in ("Add", "Mul") and not all_dq(n)):
            float_node(n)
            continue
        if op == "QuantizeLinear":
            src = g.producer.get(n.input[0])
            if src is None:  # the graph input
                s, z = out_params(n.output[0])
                nodes.append(helper.make_node("QuantizeLinear", [n.input[0], s, z], [n.output[0]]))
            continue
        if op in ("Cast", "Relu", "Clip"):
            continue
        if op == "DequantizeLinear":
            if n.output[0] in [o.name for o in qdq_model.graph.output]:
                q, s, z, _ = dq_of(n.output[0])
                nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [n.output[0]]))
            continue
        if op in ("Conv", "Gemm", "MatMul") and g.producer[n.input[1]].input[0] in g.const:
            x, xs, xz, _ = dq_of(n.input[0])
            wdq = g.producer[n.input[1]]
            w = g.const[wdq.input[0]]
            ws = g.const[wdq.input[1]]
            wz = g.const[wdq.input[2]] if len(wdq.input) > 2 else np.zeros_like(ws, dtype=np.int8)
            y, _, _ = q_after(n.output[0])
            ys, yz = out_params(y)
            wname = const(y + "_W", w)
            wsn = const(y + "_W_scale", ws)
            wzn = const(y + "_W_zero_point", wz.astype(w.dtype))
            bias = []
            if len(n.input) > 2 and n.input[2]:
                bdq = g.producer[n.input[2]]
                bias = [const(y + "_B", g.const[bdq.input[0]].astype(np.int32))]
            if op == "Conv":
                attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
                nodes.append(helper.make_node("QLinearConv", [x, xs, xz, wname, wsn, wzn, ys, yz] + bias,
                                              [y], **attrs))
            elif op == "Gemm" or bias:
                attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute
                         if a.name in ("transA", "transB", "alpha")}
                c = bias if bias else [""]
                nodes.append(helper.make_node("QGemm", [x, xs, xz, wname, wsn, wzn] + c + [ys, yz],
                                              [y], domain="com.microsoft", **attrs))
            else:
                nodes.append(helper.make_node("QLinearMatMul", [x, xs, xz, wname, wsn, wzn, ys, yz], [y]))
            continue
        if op == "MatMul":
            a, as_, az, _ = dq_of(n.input[0])
            b, bs, bz, _ = dq_of(n.input[1])
            y, _, _ = q_after(n.output[0])
            ys, yz = out_params(y)
            nodes.append(helper.make_node("QLinearMatMul", [a, as_, az, b, bs, bz, ys, yz], [y]))
            continue
        if op in ("Add", "Mul"):
            a, as_, az, _ = dq_of(n.input[0])
            b, bs, bz, _ = dq_of(n.input[1])
            y, _, _ = q_after(n.output[0])
            ys, yz = out_params(y)
            nodes.append(helper.make_node("QLinear" + op, [a, as_, az, b, bs, bz, ys, yz], [y],
                                          domain="com.microsoft"))
            continue
        if op in ("GlobalAveragePool", "AveragePool", "Sigmoid", "LeakyRelu", "Softmax"):
            x, xs, xz, _ = dq_of(n.input[0])
            y, _, _ = q_after(n.output[0])
            ys, yz = out_params(y)
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            if op == "Softmax":
                attrs["opset"] = opset
                attrs.setdefault("axis", -1)
            nodes.append(helper.make_node("QLinear" + op, [x, xs, xz, ys, yz], [y],
                                          domain="com.microsoft", **attrs))
            continue
        if op == "Concat":
            y, _, _ = q_after(n.output[0])
            ys, yz = out_params(y)
            ins = [ys, yz]
            for t in n.input:
                x, xs, xz, _ = dq_of(t)
                ins += [x, xs, xz]
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            nodes.append(helper.make_node("QLinearConcat", ins, [y], domain="com.microsoft", **attrs))
            continue
        if op in ("MaxPool", "Flatten", "Reshape", "Transpose"):
            x, _, _, _ = dq_of(n.input[0])
            y, _, _ = q_after(n.output[0])
            extra = [const(y + "_shape", g.const[n.input[1]])] if op == "Reshape" else []
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            nodes.append(helper.make_node(op, [x] + extra, [y], **attrs))
            continue
        raise NotImplementedError("to_qlinear: " + op)

    for n in nodes:
        n.name = n.output[0]
    graph = helper.make_graph(nodes, qdq_model.graph.name + "_qlinear", list(qdq_model.graph.input),
                              list(qdq_model.graph.output), inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset), ms],
                          producer_name="npusim make_onnx_models.py (ORT quantizer form)")
    m.ir_version = 7
    onnx.save(m, out_path)


# ------------------------------------------------------------------ networks

class Digits(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.fc = nn.Linear(64, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.dequant(self.fc(x))


def load_digits_net():
    d = os.path.join(ROOT, "workloads", "digits")

    def f32(name, shape):
        return np.fromfile(os.path.join(d, name), dtype="<f4").reshape(shape)
    m = Digits()
    with torch.no_grad():
        # The committed weights are OHWI; torch wants OIHW.
        m.conv1.weight.copy_(torch.from_numpy(f32("conv1.weight.f32", (8, 3, 3, 1)).transpose(0, 3, 1, 2).copy()))
        m.conv1.bias.copy_(torch.from_numpy(f32("conv1.bias.f32", (8,))))
        m.conv2.weight.copy_(torch.from_numpy(f32("conv2.weight.f32", (16, 3, 3, 8)).transpose(0, 3, 1, 2).copy()))
        m.conv2.bias.copy_(torch.from_numpy(f32("conv2.bias.f32", (16,))))
        # fc reads the HWC flatten (h*2+w)*16+c; torch flattens CHW c*4+h*2+w.
        w = f32("fc.weight.f32", (10, 2, 2, 16)).transpose(0, 3, 1, 2).reshape(10, 64)
        m.fc.weight.copy_(torch.from_numpy(w.copy()))
        m.fc.bias.copy_(torch.from_numpy(f32("fc.bias.f32", (10,))))
    images = lambda name, n: f32(name, (n, 8, 8, 1)).transpose(0, 3, 1, 2).copy()  # NCHW
    calib = images("calib_images.f32", 128)
    test = images("test_images.f32", 360)
    labels = np.fromfile(os.path.join(d, "test_labels.u8"), dtype=np.uint8)
    return m, calib, test, labels


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv0 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn0 = nn.BatchNorm2d(8)
        self.relu0 = nn.ReLU()
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.add = nn.quantized.FloatFunctional()
        self.conv3 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.relu3 = nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu0(self.bn0(self.conv0(x)))
        y = self.relu1(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        x = self.add.add_relu(x, y)
        x = self.relu3(self.conv3(x))
        x = torch.flatten(self.gap(x), 1)
        return self.dequant(self.fc(x))

    fuse = [["conv0", "bn0", "relu0"], ["conv1", "bn1", "relu1"], ["conv2", "bn2"],
            ["conv3", "relu3"]]


class Depthwise(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv0 = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.relu0 = nn.ReLU()
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.relu1 = nn.ReLU()
        self.pw = nn.Conv2d(16, 24, 1)
        self.avg = nn.AvgPool2d(2)
        self.max = nn.MaxPool2d(2)
        self.cat = nn.quantized.FloatFunctional()
        self.leaky = nn.LeakyReLU(0.1)
        self.conv2 = nn.Conv2d(48, 16, 1)
        self.sig = nn.Sigmoid()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu0(self.conv0(x))
        x = self.relu1(self.dw(x))
        x = self.pw(x)
        x = self.cat.cat([self.avg(x), self.max(x)], dim=1)
        x = self.leaky(x)
        x = self.sig(self.conv2(x))
        x = torch.flatten(self.gap(x), 1)
        return self.dequant(self.fc(x))

    fuse = [["conv0", "relu0"], ["dw", "relu1"]]


def randomize_bn(model, gen):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(m.num_features, generator=gen) - 0.5)
                m.running_mean.copy_(torch.rand(m.num_features, generator=gen) * 0.2 - 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)


def conv_nets(out):
    gen = torch.Generator().manual_seed(7)
    m, calib, test, labels = load_digits_net()
    nets = [("digits", m, calib, test[:1], [["conv1", "relu1"], ["conv2", "relu2"]], (test, labels))]
    for name, cls, shape in (("residual", Residual, (3, 16, 16)), ("depthwise", Depthwise, (3, 16, 16))):
        torch.manual_seed(11)
        net = cls()
        randomize_bn(net, gen)
        calib = torch.rand((32,) + shape, generator=gen).numpy() * 2 - 1
        x = torch.rand((1,) + shape, generator=gen).numpy() * 2 - 1
        nets.append((name, net, calib.astype(np.float32), x.astype(np.float32), cls.fuse, None))
    for name, net, calib, x, fuse, test in nets:
        net.eval()
        np.save(os.path.join(out, name + "_input.npy"), x.astype(np.float32))
        np.save(os.path.join(out, name + "_calib.npy"), calib.astype(np.float32))
        if test is not None:
            np.save(os.path.join(out, name + "_test.npy"), test[0].astype(np.float32))
            np.save(os.path.join(out, name + "_labels.npy"), test[1].astype(np.int64))
        xt = torch.from_numpy(x)
        export(net, xt, os.path.join(out, name + "_fp32.onnx"))
        q = quantize_eager(net, torch.from_numpy(calib), fuse)
        export(q, xt, os.path.join(out, name + "_qdq.onnx"))
        to_qlinear(onnx.load(os.path.join(out, name + "_qdq.onnx")),
                   os.path.join(out, name + "_qlinear.onnx"))
        print("wrote", name)


# ------------------------------------------------------------------ transformer (onnx.helper)

S, D, HEADS, FF = 8, 16, 2, 32


def erf(x):
    import math
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(np.float32)


def evaluate(model, x):
    """A small float evaluator of the transformer graph (numpy, float32)."""
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for n in model.graph.node:
        a = {k.name: helper.get_attribute_value(k) for k in n.attribute}
        v = [env[i] for i in n.input]
        op = n.op_type
        if op == "Gemm":
            r = v[0] @ v[1] + (v[2] if len(v) > 2 else 0)
        elif op == "MatMul":
            r = np.matmul(v[0], v[1])
        elif op in ("Add", "Mul", "Div"):
            r = {"Add": np.add, "Mul": np.multiply, "Div": np.divide}[op](v[0], v[1])
        elif op == "Erf":
            r = erf(v[0])
        elif op == "Reshape":
            r = v[0].reshape(tuple(v[1]))
        elif op == "Transpose":
            r = v[0].transpose(a["perm"])
        elif op == "Softmax":
            e = np.exp(v[0] - v[0].max(axis=-1, keepdims=True))
            r = e / e.sum(axis=-1, keepdims=True)
        elif op == "LayerNormalization":
            m = v[0].mean(axis=-1, keepdims=True)
            var = ((v[0] - m) ** 2).mean(axis=-1, keepdims=True)
            r = (v[0] - m) / np.sqrt(var + a.get("epsilon", 1e-5)) * v[1] + v[2]
        else:
            raise NotImplementedError(op)
        env[n.output[0]] = np.asarray(r, dtype=np.float32)
    return env


def qdq_wrap(model, calib, inner):
    """QDQ form of a float model: uint8 activations (min/max over `calib`, asymmetric), int8
    per-channel symmetric weights of Gemm/MatMul, int32 biases; `inner` tensors (inside a
    pattern such as the Erf GELU) stay float. Views keep their input's quantization."""
    lo, hi = {}, {}
    for x in calib:
        env = evaluate(model, x)
        for k, v in env.items():
            lo[k] = min(lo.get(k, 0.0), float(v.min()))
            hi[k] = max(hi.get(k, 0.0), float(v.max()))
    consts = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    params = {}

    def qparams(t):
        s = np.float32((hi[t] - lo[t]) / 255.0) or np.float32(1.0)
        z = np.uint8(np.clip(np.rint(-lo[t] / s), 0, 255))
        return s, z
    nodes, inits = [], []
    names = set()

    def init(name, v):
        if name not in names:
            names.add(name)
            inits.append(numpy_helper.from_array(np.asarray(v), name))
        return name

    def quantize(t, s, z):
        params[t] = (s, z)
        nodes.append(helper.make_node("QuantizeLinear", [t, init(t + "_scale", s), init(t + "_zero_point", z)],
                                      [t + "_quantized"], name=t + "_Q"))
        nodes.append(helper.make_node("DequantizeLinear", [t + "_quantized", t + "_scale", t + "_zero_point"],
                                      [t + "_dq"], name=t + "_DQ"))
    inp = model.graph.input[0].name
    quantize(inp, *qparams(inp))
    out_name = model.graph.output[0].name
    for n in model.graph.node:
        ins = []
        for k, t in enumerate(n.input):
            if t in consts:
                w = consts[t]
                if n.op_type in ("Gemm", "MatMul") and k == 1:
                    ws = (np.abs(w).max(axis=0) / 127).astype(np.float32)
                    ws[ws == 0] = 1
                    wq = np.clip(np.rint(w / ws), -127, 127).astype(np.int8)
                    ins.append(init(t + "_dq_w", None) if False else t + "_dq")
                    nodes.append(helper.make_node("DequantizeLinear", [init(t + "_q", wq), init(t + "_wscale", ws),
                                                  init(t + "_wzp", np.zeros(ws.shape, np.int8))], [t + "_dq"],
                                                  axis=1, name=t + "_DQ"))
                    params[t] = (ws, None)
                elif n.op_type == "Gemm" and k == 2:
                    xs = params[n.input[0]][0]
                    ws = params[n.input[1]][0]
                    bs = (xs * ws).astype(np.float32)
                    bq = np.rint(w / bs).astype(np.int32)
                    nodes.append(helper.make_node("DequantizeLinear", [init(t + "_q", bq), init(t + "_bscale", bs),
                                                  init(t + "_bzp", np.zeros(bs.shape, np.int32))], [t + "_dq"],
                                                  axis=0, name=t + "_DQ"))
                    ins.append(t + "_dq")
                else:
                    ins.append(init(t, w))
            else:
                ins.append(t + "_dq" if t in params else t)
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        o = n.output[0]
        final = o + "_f" if o == out_name else o
        nodes.append(helper.make_node(n.op_type, ins, [final], name=n.name, **attrs))
        if o in inner:
            continue
        if n.op_type in ("Reshape", "Transpose"):
            s, z = params[n.input[0]]
        else:
            s, z = qparams(o)
        if o == out_name:
            params[final] = (s, z)
            nodes.append(helper.make_node("QuantizeLinear", [final, init(o + "_scale", s), init(o + "_zero_point", z)],
                                          [o + "_quantized"], name=o + "_Q"))
            nodes.append(helper.make_node("DequantizeLinear", [o + "_quantized", o + "_scale", o + "_zero_point"],
                                          [o], name=o + "_DQ"))
        else:
            quantize(o, s, z)
    graph = helper.make_graph(nodes, model.graph.name + "_qdq", list(model.graph.input),
                              list(model.graph.output), inits)
    m = helper.make_model(graph, opset_imports=list(model.opset_import),
                          producer_name="npusim make_onnx_models.py (QDQ)")
    m.ir_version = model.ir_version
    return m


def transformer(out):
    rng = np.random.default_rng(5)
    w = lambda *s: (rng.standard_normal(s) / np.sqrt(s[0])).astype(np.float32)
    dh = D // HEADS
    P = {
        "ln1_g": (1 + 0.1 * rng.standard_normal(D)).astype(np.float32),
        "ln1_b": (0.1 * rng.standard_normal(D)).astype(np.float32),
        # 1/sqrt(dh) folded into q's projection
        "wq": w(D, D) * np.float32(1 / np.sqrt(dh)), "wk": w(D, D), "wv": w(D, D), "wo": w(D, D),
        "bq": (0.1 * rng.standard_normal(D)).astype(np.float32) * np.float32(1 / np.sqrt(dh)),
        "ln2_g": (1 + 0.1 * rng.standard_normal(D)).astype(np.float32),
        "ln2_b": (0.1 * rng.standard_normal(D)).astype(np.float32),
        "w1": w(D, FF), "b1": (0.1 * rng.standard_normal(FF)).astype(np.float32),
        "w2": w(FF, D),
    }
    nodes, inits = [], []

    def init(name, v):
        inits.append(numpy_helper.from_array(np.asarray(v, dtype=np.asarray(v).dtype), name))
        return name

    def node(op, ins, o, **attrs):
        nodes.append(helper.make_node(op, ins, [o], name=o, **attrs))
        return o

    # x [S, D]: one sequence (2-D, so projections are Gemms with bias)
    h = node("LayerNormalization", ["input", init("ln1_g", P["ln1_g"]), init("ln1_b", P["ln1_b"])],
             "ln1", axis=-1, epsilon=1e-5)
    q = node("Gemm", [h, init("wq", P["wq"]), init("bq", P["bq"])], "q")
    k = node("MatMul", [h, init("wk", P["wk"])], "k")
    v = node("MatMul", [h, init("wv", P["wv"])], "v")
    split = init("heads_shape", np.array([S, HEADS, dh], np.int64))
    qh = node("Transpose", [node("Reshape", [q, split], "q_split")], "q_heads", perm=[1, 0, 2])
    kh = node("Transpose", [node("Reshape", [k, split], "k_split")], "k_heads_t", perm=[1, 2, 0])
    vh = node("Transpose", [node("Reshape", [v, split], "v_split")], "v_heads", perm=[1, 0, 2])
    sc = node("MatMul", [qh, kh], "scores")
    pr = node("Softmax", [sc], "probs", axis=-1)
    ctx = node("MatMul", [pr, vh], "ctx_heads")
    ctx = node("Reshape", [node("Transpose", [ctx], "ctx_t", perm=[1, 0, 2]),
                           init("merge_shape", np.array([S, D], np.int64))], "ctx")
    att = node("MatMul", [ctx, init("wo", P["wo"])], "attn_out")
    x1 = node("Add", ["input", att], "resid1")
    h2 = node("LayerNormalization", [x1, init("ln2_g", P["ln2_g"]), init("ln2_b", P["ln2_b"])],
              "ln2", axis=-1, epsilon=1e-5)
    f1 = node("Gemm", [h2, init("w1", P["w1"]), init("b1", P["b1"])], "ff1")
    # GELU as torch exports it: (x * (1 + erf(x / sqrt 2))) * 0.5
    e = node("Erf", [node("Div", [f1, init("sqrt2", np.array(1.4142135381698608, np.float32))], "gelu_div")], "gelu_erf")
    g1 = node("Add", [e, init("one", np.array(1.0, np.float32))], "gelu_add")
    g2 = node("Mul", [f1, g1], "gelu_mul")
    gl = node("Mul", [g2, init("half", np.array(0.5, np.float32))], "gelu")
    f2 = node("MatMul", [gl, init("w2", P["w2"])], "ff2")
    node("Add", [x1, f2], "output")
    graph = helper.make_graph(nodes, "transformer_block",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [S, D])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [S, D])],
                              inits)
    fp32 = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                             producer_name="npusim make_onnx_models.py")
    fp32.ir_version = 8
    onnx.save(fp32, os.path.join(out, "transformer_fp32.onnx"))
    x = rng.standard_normal((S, D)).astype(np.float32)
    calib = rng.standard_normal((32, S, D)).astype(np.float32)
    np.save(os.path.join(out, "transformer_input.npy"), x)
    np.save(os.path.join(out, "transformer_calib.npy"), calib)
    qdq = qdq_wrap(fp32, list(calib), {"gelu_div", "gelu_erf", "gelu_add", "gelu_mul"})
    onnx.save(qdq, os.path.join(out, "transformer_qdq.onnx"))
    to_qlinear(qdq, os.path.join(out, "transformer_qlinear.onnx"), opset=17)
    print("wrote transformer")


# ------------------------------------------------------------------ large models (not committed)

def large(out):
    import torchvision
    torch.manual_seed(3)
    gen = torch.Generator().manual_seed(3)
    x = torch.rand((1, 3, 224, 224), generator=gen) * 2 - 1
    np.save(os.path.join(out, "imagenet_input.npy"), x.numpy())
    calib = torch.rand((4, 3, 224, 224), generator=gen) * 2 - 1
    np.save(os.path.join(out, "imagenet_calib.npy"), calib.numpy())
    for name, ctor in (("resnet18", torchvision.models.quantization.resnet18),
                       ("mobilenet_v2", torchvision.models.quantization.mobilenet_v2)):
        m = ctor(weights=None, quantize=False).eval()
        randomize_bn(m, gen)
        m.fuse_model()
        m.qconfig = qconfig()
        torch.backends.quantized.engine = "qnnpack"
        tq.prepare(m, inplace=True)
        with torch.no_grad():
            m(calib)
        tq.convert(m, inplace=True)
        export(m, x, os.path.join(out, name + "_qdq.onnx"))
        print("wrote", name + "_qdq.onnx")
    m = torchvision.models.resnet50(weights=None).eval()
    export(m, x, os.path.join(out, "resnet50_fp32.onnx"))
    print("wrote resnet50_fp32.onnx")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "onnx", "models"))
    ap.add_argument("--large", metavar="DIR", help="also write ResNet-18/MobileNetV2 (QDQ) and ResNet-50 (fp32) into DIR")
    ap.add_argument("--only", help="comma-separated subset: convnets, transformer")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    os.makedirs(a.out, exist_ok=True)
    only = set(a.only.split(",")) if a.only else {"convnets", "transformer"}
    if "convnets" in only:
        conv_nets(a.out)
    if "transformer" in only:
        transformer(a.out)
    if a.large:
        os.makedirs(a.large, exist_ok=True)
        large(a.large)


if __name__ == "__main__":
    main()
