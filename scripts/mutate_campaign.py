#!/usr/bin/env python3
"""Mutation campaign: npusim on thousands of mutated inputs, as a careless or hostile user would
give them, classified by how npusim ended (issue 11).

From the bundled configs and small workloads (and the digits network's side files) and the
committed ONNX test models (tests/onnx/models, with their .npy inputs and calibration sets) it
makes mutated configs, workloads, side files, models, .npy files and command lines (import, run
--input, --calibration, --save-tensors among them) (values at and past their ranges, wrong
types, typos, tabs, bad indentation, truncation, binary garbage, directories, FIFOs, symlink loops,
/dev/zero, read-only outputs), runs `npusim` on each with a timeout, and counts:

  signal      killed by a signal (a crash)                                  goal 0
  e549        SystemC's "uncaught exception" report                         goal 0
  exit1       exit 1 ("outputs differ") on bad input                        goal 0
  unlocated   exit 2 with an error line that names no file:line, flag or
              file path (e.g. "error: invalid value")                       goal 0
  timeout     did not finish within --timeout seconds                       goal 0
  other_exit  any other exit code (3: internal model error)                 goal 0
  ok, refused clean outcomes (exit 0; exit 2 with located messages)

Usage: scripts/mutate_campaign.py [--count N] [--jobs J] [--seed S] [--timeout SEC]
                                  [--npusim build/npusim] [--keep DIR] [--json FILE]
Standard library only. Exit status 1 when any bad outcome was seen.
"""

import argparse
import json
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = ["edge_npu", "tpu_v1", "gemmini", "nvdla", "vta"]
WORKLOADS = ["default", "conv_small", "gemm_small", "tiny_resnet", "tiny_attention", "digits"]
ONNX = os.path.join(ROOT, "tests", "onnx", "models")
MODELS = ["digits_qdq", "digits_qlinear", "depthwise_qdq", "residual_qlinear", "digits_fp32"]

# Values that probe every parser: ranges, units, types, sizes, encodings.
VALUES = [
    "0", "-1", "1", "3", "7", "65537", "1e300", "-1e300", "1e-300", "nan", "inf", ".inf", "~",
    "null", "true", "abc", "''", '""', "3B", "0B", "1B", "4GiB", "5GiB", "1TiB", "2TiB",
    "1e300Hz", "0Hz", "1GHz", "700MHz", "1kHz", "500MB/s", "1B/s", "1e20B/s", "25.6GB/s",
    "[1, 2]", "{a: 1}", "[]", "{}", "-", "0x10", "1_000", "1,5", "12GHz", "ws", "os", "both",
    "half_even", "bogus", "\t", "a: b", "'unterminated", '"bad \\q escape"', "&anchor", "*alias",
    "!!binary AAAA", "x" * 3000, "\u00b5s", "16 KiB", " 16", "16 ", "+16", "016", "1.5",
]
BAD_BYTES = [b"\xff", b"\x00", b"\xc3", b"\xed\xa0\x80", b"\x1b[31m", b"\r", b"\t"]


def schema_keys(npusim):
    out = subprocess.run([npusim, "config", "--schema"], capture_output=True, text=True,
                         check=True).stdout
    keys = []
    for line in out.splitlines():
        m = re.match(r"^([a-z_][a-z0-9_.]*)\s+(integer|size|frequency|bandwidth|number|string|enum|table)\s",
                     line)
        if m:
            keys.append(m.group(1))
    return keys


def read(path):
    with open(path, "rb") as f:
        return f.read()


def mutate_text(rng, text):
    """One to three line-level mutations of a YAML document."""
    lines = text.split(b"\n")
    for _ in range(rng.randint(1, 3)):
        if not lines:
            lines = [b""]
        i = rng.randrange(len(lines))
        kind = rng.randrange(12)
        line = lines[i]
        if kind == 0:  # replace a value
            if b":" in line:
                key = line.split(b":", 1)[0]
                lines[i] = key + b": " + rng.choice(VALUES).encode()
        elif kind == 1:
            del lines[i]
        elif kind == 2:
            lines.insert(i, line)
        elif kind == 3:  # a tab in the indentation
            lines[i] = b"\t" + line.lstrip(b" ")
        elif kind == 4:  # indentation off by one
            lines[i] = (b" " if rng.random() < 0.5 else b"") + line[1:] if line.startswith(b" ") else b" " + line
        elif kind == 5:  # a typo in a key
            m = re.match(rb"(\s*-?\s*)([A-Za-z_]+)(:.*)", line)
            if m and len(m.group(2)) > 2:
                k = bytearray(m.group(2))
                k[rng.randrange(len(k))] = ord(rng.choice("aeiourstx"))
                lines[i] = m.group(1) + bytes(k) + m.group(3)
        elif kind == 6:  # an unknown key
            lines.insert(i, line[: len(line) - len(line.lstrip())] + b"bogus_key: 1")
        elif kind == 7:  # bad bytes
            pos = rng.randrange(len(line) + 1)
            lines[i] = line[:pos] + rng.choice(BAD_BYTES) + line[pos:]
        elif kind == 8:  # swap two lines
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 9:  # change a number
            lines[i] = re.sub(rb"\d+", lambda m: str(rng.choice(
                [0, 1, 2, 3, 100000, 10 ** 9, 2 ** 31, 2 ** 63, int(m.group()) * 1000 + 1])).encode(),
                line, count=1)
        elif kind == 10:  # flow-style damage
            lines[i] = line.replace(b"}", b"", 1) if rng.random() < 0.5 else line.replace(b"[", b"", 1)
        else:  # truncate the document here
            lines = lines[:i] + [line[: rng.randrange(len(line) + 1)]]
    return b"\n".join(lines)


class Campaign:
    def __init__(self, args):
        self.args = args
        self.npusim = os.path.abspath(args.npusim)
        self.keys = schema_keys(self.npusim)
        self.work = tempfile.mkdtemp(prefix="npusim_mutate_")
        self.counts = {}
        self.examples = {}
        self.refused_samples = []  # first error lines of some refusals, to judge their wording
        self.lock = threading.Lock()
        os.makedirs(os.path.join(self.work, "ro"), exist_ok=True)
        os.chmod(os.path.join(self.work, "ro"), stat.S_IRUSR | stat.S_IXUSR)
        loop1, loop2 = os.path.join(self.work, "loop1"), os.path.join(self.work, "loop2")
        os.symlink(loop2, loop1)
        os.symlink(loop1, loop2)
        os.mkfifo(os.path.join(self.work, "fifo"))
        os.makedirs(os.path.join(self.work, "adir"), exist_ok=True)

    # Output paths stay inside the work directory (an --out path is created), except /dev/zero,
    # which npusim must refuse to replace even with --force (never passed here).
    def special_path(self, rng):
        return rng.choice([os.path.join(self.work, "loop1"), os.path.join(self.work, "adir"),
                           os.path.join(self.work, "fifo"), "/dev/zero",
                           os.path.join(self.work, "nonexistent", "x.yaml"), "",
                           os.path.join(self.work, "ro", "x")])

    def case(self, index):
        """Builds one mutated case in its own directory; returns (argv, description)."""
        rng = random.Random(self.args.seed * 1000003 + index)
        d = os.path.join(self.work, "c%06d" % index)
        os.makedirs(d)
        command = rng.choices(["run", "run", "run", "compile", "config", "compare", "onnx"],
                              [5, 5, 5, 2, 2, 1, 3])[0]
        if command == "onnx":
            return self.onnx_case(rng, d)
        argv = [self.npusim, command]
        what = []
        target = rng.randrange(10)
        wl_name = rng.choice(WORKLOADS)
        wl_src = os.path.join(ROOT, "workloads", wl_name + ".yaml")
        hw_src = os.path.join(ROOT, "configs", rng.choice(CONFIGS) + ".yaml")
        hw, wl = hw_src, wl_src
        if wl_name == "digits":  # its side files travel with it
            shutil.copytree(os.path.join(ROOT, "workloads", "digits"), os.path.join(d, "digits"))
            wl = os.path.join(d, "digits.yaml")
            shutil.copy(wl_src, wl)
        if target <= 2:  # a mutated config
            hw = os.path.join(d, "hw.yaml")
            with open(hw, "wb") as f:
                f.write(mutate_text(rng, read(hw_src)))
            what.append("config")
        elif target <= 5:  # a mutated workload
            wl = os.path.join(d, "wl.yaml")
            text = read(wl_src)
            if wl_name == "digits":
                text = text.replace(b"digits/", b"digits/")
            with open(wl, "wb") as f:
                f.write(mutate_text(rng, text))
            what.append("workload")
        elif target == 6 and wl_name == "digits":  # a damaged side file
            side = rng.choice(sorted(os.listdir(os.path.join(d, "digits"))))
            p = os.path.join(d, "digits", side)
            how = rng.randrange(5)
            os.remove(p)
            if how == 0:
                os.makedirs(p)
            elif how == 1:
                os.symlink("/dev/zero", p)
            elif how == 2:
                os.symlink(p, p)
            elif how == 3:
                with open(p, "wb") as f:
                    f.write(os.urandom(rng.randrange(0, 300)))
            what.append("side file %s (%d)" % (side, how))
        elif target == 7:  # --set at and past every key's range
            for _ in range(rng.randint(1, 3)):
                argv += ["--set", rng.choice(self.keys) + "=" + rng.choice(VALUES)]
            what.append("--set")
        elif target == 8:  # special paths for inputs and outputs
            slot = rng.randrange(3)
            if slot == 0:
                hw = self.special_path(rng)
            elif slot == 1:
                wl = self.special_path(rng)
            else:
                argv += [rng.choice(["--html", "--trace", "--out", "-o", "--json"]),
                         self.special_path(rng)]
            what.append("path")
        else:  # command-line damage
            junk = rng.choice(["--frobnicate", "--set", "--hw", "-j", "--fidelity=exact", "--force=1",
                               "--help", "extra", "--samples", "-o", "--emit", "--max-memory",
                               "--precisions"])
            argv.append(junk)
            if rng.random() < 0.5:
                argv.append(rng.choice(VALUES))
            what.append("flags")
        if command != "config" or rng.random() < 0.7:
            argv += ["--hw", hw]
        if command in ("run", "compile", "compare"):
            argv += ["--workload", wl]
        if command == "run":
            if rng.random() < 0.6:
                argv.append("--timing-only")
            argv.append("--quiet")
        elif command == "config":
            argv.append(rng.choice(["--check", "--dump"]))
        elif command == "compare":
            argv += ["--timing-only", "--precisions", rng.choice(["int8", "int8,fp32", "int8,int4"])]
        return argv, "+".join(what), d

    def onnx_case(self, rng, d):
        """An ONNX model (mutated bytes, a special path, or as it is) imported or run, with a
        damaged --input or --calibration .npy."""
        name = rng.choice(MODELS)
        model = os.path.join(ONNX, name + ".onnx")
        what = ["onnx"]
        how = rng.randrange(4)
        if how == 0:  # damaged model bytes
            data = bytearray(read(model))
            for _ in range(rng.randint(1, 20)):
                i = rng.randrange(len(data))
                data[i] = rng.randrange(256)
            if rng.random() < 0.3:
                data = data[:rng.randrange(len(data))]
            model = os.path.join(d, "m.onnx")
            with open(model, "wb") as f:
                f.write(bytes(data))
            what.append("model bytes")
        elif how == 1:
            model = self.special_path(rng)
            what.append("model path")
        npy = os.path.join(ONNX, name.split("_")[0] + rng.choice(["_input.npy", "_calib.npy"]))
        if rng.random() < 0.5:  # a damaged .npy
            data = bytearray(read(npy))
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(min(len(data), 160))  # the header, mostly
                data[i] = rng.randrange(256)
            npy = os.path.join(d, "x.npy")
            with open(npy, "wb") as f:
                f.write(bytes(data))
            what.append("npy bytes")
        elif rng.random() < 0.3:
            npy = self.special_path(rng)
            what.append("npy path")
        if rng.random() < 0.5:
            argv = [self.npusim, "import", model, "-o", os.path.join(d, "w.yaml")]
            if name.endswith("fp32"):
                argv += ["--calibration", npy]
        else:
            argv = [self.npusim, "run", "--workload", model, "--quiet"]
            if name.endswith("fp32"):
                argv += ["--calibration", npy]
            else:
                argv += ["--input", rng.choice(["input", "x", ""]) + "=" + npy]
            if rng.random() < 0.3:
                argv += ["--save-tensors", rng.choice([os.path.join(d, "t"),
                                                       self.special_path(rng)])]
        return argv, "+".join(what), d

    def classify(self, rc, err):
        if rc is None:
            return "timeout"
        if rc < 0:
            return "signal"
        if "E549" in err or "uncaught exception" in err:
            return "e549"
        if rc == 0:
            return "ok"
        if rc == 1:
            return "exit1"
        if rc == 2:
            for line in err.splitlines():
                if not line.startswith("error: "):
                    continue
                body = line[len("error: "):]
                located = (re.match(r"^[^:]+:\d+(:\d+)?: ", body) or
                           re.match(r"^(<command line>|--set|--hw|--workload|--html|--trace|--out|"
                                    r"-o|--json|--max-memory|--input|--save-tensors|--calibration|"
                                    r"built-in default config)[: ]", body) or
                           re.search(r"(cannot open|cannot read|cannot write|cannot create) '", body) or
                           re.match(r"^'?/[^:]*:", body) or re.match(r"^[^ :]+\.(yaml|yml|json|html|csv|asm)[: ]", body))
                if not located:
                    return "unlocated"
            return "refused"
        return "other_exit"

    def run_one(self, index):
        argv, what, d = self.case(index)
        try:
            p = subprocess.run(argv, capture_output=True, timeout=self.args.timeout, cwd=d,
                               env=dict(os.environ, NPUSIM_HOME=ROOT))
            rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            rc, err = None, ""
        outcome = self.classify(rc, err)
        with self.lock:
            self.counts[outcome] = self.counts.get(outcome, 0) + 1
            if outcome == "refused" and len(self.refused_samples) < 60 and index % 7 == 0:
                self.refused_samples.append(err.splitlines()[0][:300])
            if outcome not in ("ok", "refused"):
                ex = self.examples.setdefault(outcome, [])
                if len(ex) < 5:
                    keep = os.path.join(self.args.keep, "%s_%06d" % (outcome, index))
                    shutil.copytree(d, keep, symlinks=True, ignore_dangling_symlinks=True,
                                    dirs_exist_ok=True)
                    ex.append({"argv": argv[1:], "what": what, "rc": rc, "stderr": err[:600],
                               "kept": keep})
        if outcome in ("ok", "refused"):
            shutil.rmtree(d, ignore_errors=True)
        return outcome

    def run(self):
        os.makedirs(self.args.keep, exist_ok=True)
        with ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
            for i, _ in enumerate(pool.map(self.run_one, range(self.args.count))):
                if (i + 1) % 500 == 0:
                    print("  %d / %d  %s" % (i + 1, self.args.count, self.summary()), flush=True)
        os.chmod(os.path.join(self.work, "ro"), stat.S_IRWXU)
        shutil.rmtree(self.work, ignore_errors=True)

    def summary(self):
        order = ["ok", "refused", "signal", "e549", "exit1", "unlocated", "timeout", "other_exit"]
        return ", ".join("%s %d" % (k, self.counts.get(k, 0)) for k in order)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--npusim", default=os.path.join(ROOT, "build", "npusim"))
    ap.add_argument("--keep", default="mutate-failures", help="where failing cases are copied")
    ap.add_argument("--json", help="write the counts and examples here")
    args = ap.parse_args()
    c = Campaign(args)
    print("mutation campaign: %d cases, %d at a time, seed %d, %d config keys"
          % (args.count, args.jobs, args.seed, len(c.keys)), flush=True)
    c.run()
    print("result: " + c.summary())
    for outcome, ex in sorted(c.examples.items()):
        for e in ex:
            print("  %s (%s) rc=%s: npusim %s\n      %s" % (outcome, e["what"], e["rc"],
                  " ".join(a if len(a) < 80 else a[:77] + "..." for a in e["argv"]),
                  e["stderr"].strip().replace("\n", "\n      ")[:400]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"counts": c.counts, "examples": c.examples,
                       "refused_samples": c.refused_samples}, f, indent=2)
    bad = sum(c.counts.get(k, 0) for k in ("signal", "e549", "exit1", "unlocated", "timeout",
                                            "other_exit"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
