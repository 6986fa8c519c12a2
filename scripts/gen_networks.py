#!/usr/bin/env python3
"""Write the bundled network workloads (workloads/*.yaml, format v2) and print their MAC counts.

Networks are long and regular, so they are generated: the committed YAML files are this script's
output. Run from anywhere:  python3 scripts/gen_networks.py [--check] [--macs]
  --check  compare with the committed files instead of writing them (exit 1 on a difference)
  --macs   print per-network MAC totals and layer counts only

Shapes follow the public definitions at batch 1 (torchvision ResNet-18/50 v1.5 and MobileNetV2,
BERT-base, LLaMA-7B). MACs are counted here from the shapes, independently of the C++ loader;
tests/unit/graph_networks_test.cc asserts that the loader's Layer::macs() sums to the same numbers.

Quantization of the big networks. Their output scales are explicit, because `output: auto` runs
the reference accumulator of every earlier layer at load time (ResNet-50 alone is 4 G MACs).
The scales come from a simple signal-propagation rule, not from data:
  * weights are uniform int8 in [-127, 127] (std 73.3) times weight_scale, and weight_scale is
    He-like, w = gain / (73.3 * sqrt(K)) with gain sqrt(2) before relu/relu6 and 1 otherwise, so
    the real pre-activation has about the RMS of the real input; each channel draws its scale in
    [0.8 w, 1.2 w) from the seed;
  * the pre-activation's standard deviation is estimated as
    sqrt(K * rms_in^2 * (73.3 w)^2 + bias_std^2), the bias being uniform in [-64 K, 64 K]
    (std 36.95 K) at scale in_scale * w, rms_in the tracked real RMS of the input tensor;
  * the output scale then covers about 4 standard deviations: linear outputs zero point 0 and
    scale 4 sigma / 128; relu outputs zero point -128 and scale 4 sigma / 255; relu6 outputs use
    the exact [0, 6] grid (6/255, -128); softmax the usual 1/256 with zero point -128; layernorm
    and rmsnorm (unit variance times gamma in [0.5, 1.5) plus beta) 6/128; gelu/silu cover
    [f_min, 4 sigma]; add sums the two RMS in quadrature; mul multiplies them (scale 6 rms / 128).
Pooling, reshape and concat keep their input's quantization (`output` omitted = auto, which for
those ops runs nothing). The two tiny networks use `output: auto` everywhere else, so they
exercise the loader's calibration.
"""

import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
W_STD = 127 / math.sqrt(3)  # std of uniform int8 weights in [-127, 127]: 73.32
BIAS_STD_PER_K = 64 / math.sqrt(3)  # the seeded bias is uniform in [-64 K, 64 K], K = reduction
INPUT_RMS_Q = math.sqrt((256 * 256 - 1) / 12)  # uniform int8 in [-128, 127]: 73.9


def sig(x, digits=4):
    """A number rounded to `digits` significant digits, written the short way."""
    return float(f"{x:.{digits}g}")


def fmt(x):
    if isinstance(x, float):
        s = repr(x)
        return s[:-2] if s.endswith(".0") else s
    return str(x)


def flow(v):
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(flow(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {flow(e)}" for k, e in v.items()) + "}"
    if isinstance(v, bool):
        return "true" if v else "false"
    return fmt(v)


def prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def relu6_rms(sigma):
    """RMS of clamp(N(0, sigma), 0, 6): E[X^2 1{0<X<6}] + 36 P(X > 6)."""
    a = 6.0 / sigma
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1 + math.erf(a / math.sqrt(2)))
    inner = sigma * sigma * ((cdf - 0.5) - a * phi)
    return math.sqrt(inner + 36 * (1 - cdf))


class Net:
    def __init__(self, name, seed, description, explicit):
        self.name = name
        self.seed = seed
        self.description = description
        self.explicit = explicit  # explicit output scales (big nets) or `auto` (tiny nets)
        self.inputs = []  # (name, shape, scale, zp)
        self.layers = []  # (name, dict of keys, macs, comment)
        self.t = {}  # tensor name -> dict(shape, scale, zp, rms) ; rms is the real RMS of x - zp
        self.prev = None
        self.notes = []

    # ---- bookkeeping ----
    def add_input(self, name, shape, scale, zp=0):
        self.inputs.append((name, shape, scale, zp))
        rms_q = math.sqrt(INPUT_RMS_Q**2 + (-0.5 - zp) ** 2)
        self.t[name] = dict(shape=list(shape), scale=scale, zp=zp, rms=rms_q * scale)
        if self.prev is None:
            self.prev = name
        return name

    def _layer(self, name, op, ins, keys, out_shape, macs, quant, rms, comment=""):
        assert name not in self.t, name
        d = {"op": op}
        default_in = [self.prev]
        if ins != default_in:
            d["inputs"] = list(ins)
        d.update(keys)
        if quant == "auto":
            scale, zp = None, None
        elif quant is None:  # pooling, reshape, concat: the input's quantization
            first = self.t[ins[0]]
            scale, zp = first["scale"], first["zp"]
        else:
            scale, zp = quant
            if self.explicit:
                d["output"] = {"scale": scale, "zero_point": zp}
            else:
                d["output"] = "auto"
                scale, zp = None, None
        self.layers.append((name, d, macs, comment))
        self.t[name] = dict(shape=list(out_shape), scale=scale, zp=zp, rms=rms)
        self.prev = name
        return name

    def _x(self, x):
        return self.prev if x is None else x

    @staticmethod
    def _linear_quant(sigma, act):
        """(scale, zero point) for a pre-activation of std sigma, and the output's real RMS."""
        if act == "relu":
            return (sig(4 * sigma / 255), -128), sigma / math.sqrt(2)
        if act == "relu6":
            return (sig(6 / 255), -128), relu6_rms(sigma)
        return (sig(4 * sigma / 128), 0), sigma

    def _weight_scale(self, k, act, extra=1.0):
        gain = math.sqrt(2) if act in ("relu", "relu6") else 1.0
        w = gain * extra / (W_STD * math.sqrt(k))
        return w, {"min": sig(0.8 * w), "max": sig(1.2 * w)}

    def _pre_sigma(self, x, k, w, bias):
        t = self.t[x]
        s_in = t["scale"] if t["scale"] is not None else 1.0
        var = k * t["rms"] ** 2 * (W_STD * w) ** 2
        if bias:
            var += (BIAS_STD_PER_K * k * s_in * w) ** 2
        return math.sqrt(var)

    # ---- operators ----
    def conv(self, name, oc, k, stride=1, pad=0, groups=1, act="none", x=None, bias=True):
        x = self._x(x)
        h, w_, c = self.t[x]["shape"]
        assert c % groups == 0 and oc % groups == 0
        oh = (h + 2 * pad - k) // stride + 1
        ow = (w_ + 2 * pad - k) // stride + 1
        red = k * k * (c // groups)
        macs = oh * ow * red * oc
        ws, ws_yaml = self._weight_scale(red, act)
        quant, rms = self._linear_quant(self._pre_sigma(x, red, ws, bias), act)
        keys = {"out_channels": oc, "kernel": k}
        if stride != 1:
            keys["stride"] = stride
        if pad:
            keys["padding"] = pad
        if groups != 1:
            keys["groups"] = groups
        keys["weight_scale"] = ws_yaml
        if not bias:
            keys["bias"] = False
        if act != "none":
            keys["activation"] = act
        g = f" g{groups}" if groups != 1 else ""
        comment = f"{h}x{w_}x{c} -> {oh}x{ow}x{oc} k{k} s{stride} p{pad}{g}"
        return self._layer(name, "conv2d", [x], keys, [oh, ow, oc], macs, quant, rms, comment)

    def gemm(self, name, n, act="none", x=None, bias=True, m=None, fold=1.0):
        """Fully connected; `fold` multiplies the weight scale (attention's 1/sqrt(d) folding)."""
        x = self._x(x)
        shape = self.t[x]["shape"]
        elems = prod(shape)
        default_m = elems // shape[-1]  # all but the last dimension are rows
        if m is None:
            m = default_m
        k = elems // m
        macs = m * k * n
        ws, ws_yaml = self._weight_scale(k, act, fold)
        quant, rms = self._linear_quant(self._pre_sigma(x, k, ws, bias), act)
        keys = {}
        if m != default_m:
            keys["m"] = m
        keys["n"] = n
        keys["weight_scale"] = ws_yaml
        if not bias:
            keys["bias"] = False
        if act != "none":
            keys["activation"] = act
        comment = f"{m}x{k}x{n} (MxKxN)"
        return self._layer(name, "gemm", [x], keys, [m, n], macs, quant, rms, comment)

    def matmul(self, name, a, b, heads, a_layout, b_layout, out_layout, transpose_b):
        sa, sb = self.t[a]["shape"], self.t[b]["shape"]
        if a_layout == "batched":
            assert sa[0] == heads
            m, k = sa[1], sa[2]
        else:
            m, k = sa[0], sa[1] // heads
        if b_layout == "batched":
            assert sb[0] == heads
            kb, n = (sb[2], sb[1]) if transpose_b else (sb[1], sb[2])
        else:
            if transpose_b:
                n, kb = sb[0], sb[1] // heads
            else:
                kb, n = sb[0], sb[1] // heads
        assert kb == k, (name, k, kb)
        out_shape = [heads, m, n] if out_layout == "batched" else [m, heads * n]
        macs = heads * m * k * n
        sigma = math.sqrt(k) * self.t[a]["rms"] * self.t[b]["rms"]
        quant, rms = self._linear_quant(sigma, "none")
        keys = {"heads": heads}
        if a_layout != "batched":
            keys["a_layout"] = a_layout
        if b_layout != "batched":
            keys["b_layout"] = b_layout
        if out_layout != "batched":
            keys["out_layout"] = out_layout
        if transpose_b:
            keys["transpose_b"] = True
        comment = f"{heads} heads x {m}x{k}x{n}"
        return self._layer(name, "matmul", [a, b], keys, out_shape, macs, quant, rms, comment)

    def add(self, name, x, y, act="none"):
        assert self.t[x]["shape"] == self.t[y]["shape"], (name, self.t[x], self.t[y])
        sigma = math.sqrt(self.t[x]["rms"] ** 2 + self.t[y]["rms"] ** 2)
        quant, _ = self._linear_quant(sigma, act)
        keys = {"activation": act} if act != "none" else {}
        return self._layer(name, "add", [x, y], keys, self.t[x]["shape"], 0, quant, sigma)

    def mul(self, name, x, y):
        assert self.t[x]["shape"] == self.t[y]["shape"]
        rms = self.t[x]["rms"] * self.t[y]["rms"]
        return self._layer(name, "mul", [x, y], {}, self.t[x]["shape"], 0,
                           (sig(6 * rms / 128), 0), rms)

    def maxpool(self, name, k, stride, pad, x=None):
        x = self._x(x)
        h, w_, c = self.t[x]["shape"]
        oh, ow = (h + 2 * pad - k) // stride + 1, (w_ + 2 * pad - k) // stride + 1
        keys = {"kernel": k, "stride": stride, "padding": pad}
        # The max of a window of non-negative values: about 1.5x the RMS.
        return self._layer(name, "maxpool", [x], keys, [oh, ow, c], 0, None,
                           1.5 * self.t[x]["rms"])

    def avgpool(self, name, k, stride, pad, x=None):
        x = self._x(x)
        h, w_, c = self.t[x]["shape"]
        oh, ow = (h + 2 * pad - k) // stride + 1, (w_ + 2 * pad - k) // stride + 1
        keys = {"kernel": k, "stride": stride, "padding": pad}
        return self._layer(name, "avgpool", [x], keys, [oh, ow, c], 0, None,
                           0.8 * self.t[x]["rms"])

    def global_avgpool(self, name, x=None):
        x = self._x(x)
        c = self.t[x]["shape"][2]
        # A mean over many non-negative values keeps about 0.6x their RMS.
        return self._layer(name, "global_avgpool", [x], {}, [1, 1, c], 0, None,
                           0.6 * self.t[x]["rms"])

    def _unary(self, name, op, x, quant, rms):
        x = self._x(x)
        return self._layer(name, op, [x], {}, self.t[x]["shape"], 0, quant, rms)

    def softmax(self, name, x=None):
        x = self._x(x)
        row = self.t[x]["shape"][-1]
        return self._unary(name, "softmax", x, (1 / 256, -128), 2.0 / row)

    def layernorm(self, name, x=None):
        return self._unary(name, "layernorm", x, (6 / 128, 0), 1.08)

    def rmsnorm(self, name, x=None):
        return self._unary(name, "rmsnorm", x, (6 / 128, 0), 1.04)

    def _lut(self, name, op, x, fmin):
        x = self._x(x)
        sigma = self.t[x]["rms"]
        scale = sig((4 * sigma - fmin) / 255)
        zp = round(-128 - fmin / scale)
        return self._unary(name, op, x, (scale, zp), sigma / math.sqrt(2))

    def gelu(self, name, x=None):
        return self._lut(name, "gelu", x, -0.17)

    def silu(self, name, x=None):
        return self._lut(name, "silu", x, -0.2785)

    def reshape(self, name, shape, x=None):
        x = self._x(x)
        src = self.t[x]["shape"]
        out = list(shape)
        if -1 in out:
            i = out.index(-1)
            out[i] = prod(src) // -prod(out)
        assert prod(out) == prod(src)
        return self._layer(name, "reshape", [x], {"shape": list(shape)}, out, 0, None,
                           self.t[x]["rms"])

    def concat(self, name, xs):
        first = self.t[xs[0]]
        for x in xs[1:]:
            assert self.t[x]["shape"][:-1] == first["shape"][:-1]
        out = first["shape"][:-1] + [sum(self.t[x]["shape"][-1] for x in xs)]
        return self._layer(name, "concat", list(xs), {}, out, 0, None, first["rms"])

    # ---- output ----
    def total_macs(self):
        return sum(l[2] for l in self.layers)

    def yaml(self, header):
        out = []
        for line in header.strip("\n").split("\n"):
            out.append(("# " + line).rstrip())
        out.append(f"# Generated by scripts/gen_networks.py: edit the script, not this file.")
        out.append(f"# {len(self.layers)} layers, {self.total_macs():,} MACs.")
        out.append(f"name: {self.name}")
        out.append(f"description: \"{self.description}\"")
        out.append(f"seed: {self.seed}")
        if len(self.inputs) == 1 and self.inputs[0][0] == "input":
            _, shape, scale, zp = self.inputs[0]
            out.append(f"input: {flow({'shape': shape, 'scale': scale, 'zero_point': zp})}")
        else:
            out.append("inputs:")
            for name, shape, scale, zp in self.inputs:
                d = {"name": name, "shape": shape, "scale": scale, "zero_point": zp}
                out.append(f"  - {flow(d)}")
        out.append("layers:")
        for name, d, macs, comment in self.layers:
            c = comment + (f", {macs:,} MACs" if macs else "")
            out.append(f"  - name: {name}" + (f"  # {c}" if c else ""))
            for k, v in d.items():
                out.append(f"    {k}: {flow(v)}")
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Networks


def resnet(depth):
    basic = depth == 18
    blocks = [2, 2, 2, 2] if basic else [3, 4, 6, 3]
    net = Net(f"resnet{depth}", depth,
              f"ResNet-{depth}{'' if basic else ' v1.5'} (torchvision), 224x224x3, batch 1, "
              "BN folded into the convolutions", explicit=True)
    net.add_input("input", [224, 224, 3], 0.0208, 0)  # ~ImageNet-normalized pixels in [-2.7, 2.6]
    net.conv("conv1", 64, 7, 2, 3, act="relu")
    x = net.maxpool("maxpool", 3, 2, 1)
    in_c = 64
    for stage, n in enumerate(blocks):
        width = 64 * 2**stage
        for b in range(n):
            stride = 2 if (b == 0 and stage > 0) else 1
            p = f"layer{stage + 1}_{b}"
            if basic:
                out_c = width
                net.conv(f"{p}_conv1", width, 3, stride, 1, act="relu", x=x)
                last = net.conv(f"{p}_conv2", width, 3, 1, 1)
            else:
                out_c = 4 * width
                net.conv(f"{p}_conv1", width, 1, act="relu", x=x)
                net.conv(f"{p}_conv2", width, 3, stride, 1, act="relu")  # v1.5: stride here
                last = net.conv(f"{p}_conv3", out_c, 1)
            short = x
            if stride != 1 or in_c != out_c:
                short = net.conv(f"{p}_downsample", out_c, 1, stride, x=x)
            x = net.add(f"{p}_add", last, short, act="relu")
            in_c = out_c
    net.global_avgpool("avgpool")
    net.gemm("fc", 1000, m=1)
    return net


def mobilenet_v2():
    net = Net("mobilenet_v2", 2, "MobileNetV2 (torchvision, width 1.0), 224x224x3, batch 1, "
              "BN folded into the convolutions", explicit=True)
    net.add_input("input", [224, 224, 3], 0.0208, 0)
    x = net.conv("features0", 32, 3, 2, 1, act="relu6")
    in_c = 32
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]
    idx = 1
    for t, c, n, s in settings:
        for i in range(n):
            stride = s if i == 0 else 1
            p = f"block{idx}"
            hidden = in_c * t
            if t != 1:
                net.conv(f"{p}_expand", hidden, 1, act="relu6", x=x)
                net.conv(f"{p}_dw", hidden, 3, stride, 1, groups=hidden, act="relu6")
            else:
                net.conv(f"{p}_dw", hidden, 3, stride, 1, groups=hidden, act="relu6", x=x)
            y = net.conv(f"{p}_project", c, 1)
            if stride == 1 and in_c == c:
                y = net.add(f"{p}_add", y, x)
            x = y
            in_c = c
            idx += 1
    net.conv("features18", 1280, 1, act="relu6")
    net.global_avgpool("avgpool")
    net.gemm("classifier", 1000, m=1)
    return net


def bert_base_layer():
    s, d, heads, ffn = 128, 768, 12, 3072
    net = Net("bert_base_layer", 768, f"One BERT-base encoder layer: sequence {s}, hidden {d}, "
              f"{heads} heads of {d // heads}, FFN {ffn}", explicit=True)
    x = net.add_input("input", [s, d], 0.0416, 0)  # layernorm-like hidden state, RMS ~3
    # 1/sqrt(64) is folded into the query projection's weight scale (fold=1/8), so Q*K^T needs no
    # separate scaling step; the quantized logits are then the scaled scores.
    q = net.gemm("q", d, x=x, fold=1 / math.sqrt(d // heads))
    k = net.gemm("k", d, x=x)
    v = net.gemm("v", d, x=x)
    net.matmul("scores", q, k, heads, "interleaved", "interleaved", "batched", True)
    p = net.softmax("probs")
    net.matmul("context", p, v, heads, "batched", "interleaved", "interleaved", False)
    net.gemm("attn_out", d)
    h = net.layernorm("ln1", net.add("attn_residual", "attn_out", x))
    net.gemm("ffn1", ffn, x=h)
    net.gelu("gelu")
    net.gemm("ffn2", d)
    net.layernorm("ln2", net.add("ffn_residual", "ffn2", h))
    return net


def llama_layer(decode):
    d, heads, ffn, ctx = 4096, 32, 11008, 2048
    hd = d // heads
    seq = 1 if decode else 512
    if decode:
        net = Net("llama7b_decode", 7, f"One LLaMA-7B decoder layer, decode: 1 token attending "
                  f"over a KV cache of {ctx} positions; hidden {d}, {heads} heads of {hd}, "
                  f"SwiGLU FFN {ffn}", explicit=True)
    else:
        net = Net("llama7b_prefill", 7, f"One LLaMA-7B decoder layer, prefill of {seq} tokens; "
                  f"hidden {d}, {heads} heads of {hd}, SwiGLU FFN {ffn}", explicit=True)
    x = net.add_input("input", [seq, d], 0.0416, 0)
    if decode:
        net.add_input("k_cache", [ctx, d], 0.0416, 0)
        net.add_input("v_cache", [ctx, d], 0.0416, 0)
    h = net.rmsnorm("attn_norm", x)
    q = net.gemm("q", d, x=h, bias=False, fold=1 / math.sqrt(hd))  # 1/sqrt(128) folded into Q
    k = net.gemm("k", d, x=h, bias=False)
    v = net.gemm("v", d, x=h, bias=False)
    if decode:
        # The new token's K and V are computed (real MACs) and are outputs of the step (they are
        # appended to the cache for the next token); attention reads the 2048 given cache
        # positions. The append itself (a copy) and RoPE are omitted: no MACs worth counting.
        kk, vv = "k_cache", "v_cache"
    else:
        kk, vv = k, v
    # No causal mask: the dense products have the MACs of an unmasked implementation.
    net.matmul("scores", q, kk, heads, "interleaved", "interleaved", "batched", True)
    p = net.softmax("probs")
    net.matmul("context", p, vv, heads, "batched", "interleaved", "interleaved", False)
    net.gemm("o", d, bias=False)
    r = net.add("attn_residual", "o", x)
    h2 = net.rmsnorm("ffn_norm", r)
    net.gemm("gate", ffn, x=h2, bias=False)
    g = net.silu("gate_silu")
    u = net.gemm("up", ffn, x=h2, bias=False)
    net.mul("gate_up", g, u)
    net.gemm("down", d, bias=False)
    net.add("ffn_residual", "down", r)
    return net


def tiny_resnet():
    net = Net("tiny_resnet", 5, "A few layers of every image operator for tests: conv, grouped "
              "and depthwise conv, pooling, residual add, fully connected", explicit=False)
    x = net.add_input("input", [16, 16, 8], 0.05, -3)
    net.conv("stem", 16, 3, 1, 1, act="relu")
    x = net.maxpool("pool", 3, 2, 1)                       # 8x8x16
    net.conv("b1_conv1", 16, 3, 1, 1, act="relu", x=x)
    a = net.conv("b1_conv2", 16, 3, 1, 1)
    x = net.add("b1_add", a, x, act="relu")
    net.conv("b2_conv1", 32, 3, 2, 1, act="relu", x=x)     # 4x4x32
    net.conv("b2_dw", 32, 3, 1, 1, groups=32, act="relu6")
    a = net.conv("b2_project", 32, 1)
    s = net.conv("b2_downsample", 32, 1, 2, x=x)
    x = net.add("b2_add", a, s, act="relu")
    net.conv("grouped", 32, 3, 1, 1, groups=4, act="relu", x=x)
    net.avgpool("smooth", 3, 1, 1)
    net.global_avgpool("gap")
    net.gemm("fc", 10, m=1)
    return net


def tiny_attention():
    net = Net("tiny_attention", 6, "A few layers of every sequence operator for tests: cross "
              "attention (2 heads), SwiGLU, gelu, norms, reshape, concat", explicit=False)
    x = net.add_input("input", [8, 32], 0.05, 2)
    c = net.add_input("ctx", [12, 32], 0.04, -1)
    h = net.layernorm("ln", x)
    q = net.gemm("q", 32, x=h, fold=1 / 4)
    k = net.gemm("k", 32, x=c)
    v = net.gemm("v", 32, x=c)
    net.matmul("scores", q, k, 2, "interleaved", "interleaved", "batched", True)  # [2, 8, 12]
    p = net.softmax("probs")
    net.matmul("context", p, v, 2, "batched", "interleaved", "interleaved", False)  # [8, 32]
    net.gemm("attn_out", 32)
    r = net.add("residual", "attn_out", x)
    h2 = net.rmsnorm("norm", r)
    g = net.silu("gate_silu", net.gemm("gate", 48, x=h2, bias=False))
    u = net.gemm("up", 48, x=h2, bias=False)
    net.mul("gate_up", g, u)
    f = net.gemm("down", 32, bias=False)
    # Two heads of equal, explicit quantization so that concat accepts them.
    net.gemm("head_a", 16, x=net.gelu("gelu", f))
    net.layers[-1][1]["output"] = {"scale": 0.05, "zero_point": 0}
    net.t["head_a"].update(scale=0.05, zp=0)
    net.gemm("head_b", 16, x=r)
    net.layers[-1][1]["output"] = {"scale": 0.05, "zero_point": 0}
    net.t["head_b"].update(scale=0.05, zp=0)
    net.concat("heads", ["head_a", "head_b"])                # [8, 32]
    # A transposed-b matmul in batched layout: the heads' outputs against themselves.
    net.reshape("split", [2, 8, 16])                         # [2, 8, 16] as 2 batched heads
    net.matmul("gram", "split", "split", 2, "batched", "batched", "batched", True)  # [2, 8, 8]
    net.reshape("flat", [1, -1])                             # [1, 128]
    return net


HEADERS = {
    "resnet18": """
ResNet-18 as in torchvision (BN folded): 7x7/2 conv 64 + relu, 3x3/2 maxpool (padding 1),
basic blocks [2, 2, 2, 2], stride 2 in the first block of stages 2-4 with 1x1/2 projection
shortcuts, residual add + relu, global average pool, fc 1000.
Published: 1.814 G MACs (fvcore/torchvision report ~1.82 G).""",
    "resnet50": """
ResNet-50 v1.5 as in torchvision (BN folded): bottleneck blocks [3, 4, 6, 3] (1x1, 3x3, 1x1 x4),
stride 2 on the 3x3 conv of the first block of stages 2-4, 1x1 projection shortcuts, residual
add + relu, global average pool, fc 1000.
Published: 4.089 G MACs (fvcore/torchvision report ~4.09 G).""",
    "mobilenet_v2": """
MobileNetV2 as in torchvision (width 1.0, BN folded): 3x3/2 conv 32 + relu6, inverted residuals
(expand 1x1 + relu6 when t > 1, depthwise 3x3 + relu6, linear 1x1 projection, residual add when
stride 1 and channels equal), 1x1 conv 1280 + relu6, global average pool, classifier 1000
(dropout is not an inference op). Published: ~0.300 G MACs.""",
    "bert_base_layer": """
One BERT-base encoder layer (post-LN), sequence 128, hidden 768, 12 heads of 64, FFN 3072:
Q/K/V gemms, Q*K^T per head (a and b interleaved [128, 12*64], transpose_b, scores batched),
softmax, probs*V (probs batched, V interleaved, context interleaved), output gemm, residual add,
layernorm, FFN gemm + gelu, gemm, residual add, layernorm. The 1/sqrt(64) score scale is folded
into the query projection's quantization (its weight scale), so no separate scaling op is needed.""",
    "llama7b_prefill": """
One LLaMA-7B decoder layer, prefill of 512 tokens: rmsnorm, Q/K/V gemms (no bias), Q*K^T per
head (32 heads of 128, transpose_b), softmax, probs*V, output gemm, residual add, rmsnorm,
SwiGLU FFN (gate gemm -> silu, up gemm, mul, down gemm), residual add. K and V come from the
layer's own projections. The 1/sqrt(128) score scale is folded into the query projection; RoPE
and the causal mask are omitted (no MACs; the products are counted dense, as unmasked kernels
compute them).""",
    "llama7b_decode": """
One LLaMA-7B decoder layer, decode of one token against a KV cache of 2048 positions, given as
the declared inputs k_cache and v_cache [2048, 4096]. The new token's K and V projections are
computed (their MACs count) and left as outputs of the step; appending them to the cache (a copy)
and RoPE are omitted: they cost no MACs worth counting. Attention reads the 2048 cached positions.
The 1/sqrt(128) score scale is folded into the query projection.""",
    "tiny_resnet": """
A tiny image network for tests: every image operator at least once (conv, stride-2 conv, grouped
conv, depthwise conv, maxpool, avgpool with padding, residual add with and without projection,
global average pool, fully connected). Output scales are `auto` (calibrated at load time).""",
    "tiny_attention": """
A tiny sequence network for tests: two declared inputs (input, ctx), cross attention with 2
heads (Q*K^T interleaved with transpose_b, probs*V batched x interleaved), softmax, layernorm,
rmsnorm, SwiGLU (silu, mul), gelu, concat of two equally quantized heads, reshape, a batched
transpose_b matmul. Output scales are `auto` except where concat needs them equal.""",
}

BUILDERS = {
    "resnet18": lambda: resnet(18),
    "resnet50": lambda: resnet(50),
    "mobilenet_v2": mobilenet_v2,
    "bert_base_layer": bert_base_layer,
    "llama7b_prefill": lambda: llama_layer(False),
    "llama7b_decode": lambda: llama_layer(True),
    "tiny_resnet": tiny_resnet,
    "tiny_attention": tiny_attention,
}


def main(argv):
    check = "--check" in argv
    macs_only = "--macs" in argv
    bad = 0
    for name, build in BUILDERS.items():
        net = build()
        print(f"{name:18s} layers {len(net.layers):4d}  MACs {net.total_macs():>16,d}  "
              f"output {net.t[net.layers[-1][0]]['shape']}")
        if macs_only:
            continue
        text = net.yaml(HEADERS[name])
        path = os.path.join(ROOT, "workloads", name + ".yaml")
        if check:
            old = open(path).read() if os.path.exists(path) else ""
            if old != text:
                print(f"  {path} differs from the generator's output")
                bad = 1
        else:
            with open(path, "w") as f:
                f.write(text)
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
