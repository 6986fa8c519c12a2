// Runs one ONNX model in ONNX Runtime (npm onnxruntime-node, CPU) as a user gets it: default
// graph optimizations, one intra-op and one inter-op thread. Reads one input from a .npy file,
// writes every graph output as OUT/<name>.npy (names sanitized as npusim's --save-tensors does)
// and the optimized model ORT ran to OPT (for checking which fusions it applied).
// Usage: node ort_run.js MODEL INPUT_NAME INPUT.npy OUT_DIR OPT.onnx
//        node ort_run.js --batch MODEL INPUT_NAME INPUTS.npy OUT.json
// --batch runs the model once per entry of INPUTS' first axis (each entry given the model's
// batch of 1: shape [1, ...rest]) in one session and writes OUT.json: {"outputs": [the first
// graph output's values of each run]} (float32 values, exact as JSON numbers).
// (scripts/ort_goldens.py and scripts/ort_top1.py drive it; NODE_PATH must reach
// onnxruntime-node.)
"use strict";
const fs = require("fs");
const path = require("path");
const ort = require("onnxruntime-node");

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString("latin1", 0, 6) !== "\x93NUMPY") throw new Error(file + ": not a .npy file");
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString("latin1", start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(file + ": Fortran order");
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").map((s) => s.trim())
    .filter((s) => s.length).map(Number);
  const data = b.subarray(start + hlen);
  const copy = new Uint8Array(data).buffer;
  const types = {"<f4": ["float32", Float32Array], "|u1": ["uint8", Uint8Array],
                 "|i1": ["int8", Int8Array]};
  if (!types[descr]) throw new Error(file + ": unsupported dtype " + descr);
  const [t, A] = types[descr];
  return new ort.Tensor(t, new A(copy), shape);
}

function writeNpy(file, tensor) {
  const descr = {float32: "<f4", uint8: "|u1", int8: "|i1", int32: "<i4", int64: "<i8"}[tensor.type];
  if (!descr) throw new Error("unsupported output type " + tensor.type);
  const shape = tensor.dims.length === 1 ? "(" + tensor.dims[0] + ",)"
                                         : "(" + tensor.dims.join(", ") + ")";
  let dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = dict + " ".repeat(total - 10 - dict.length - 1) + "\n";
  const head = Buffer.alloc(10);
  head.write("\x93NUMPY", 0, "latin1");
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(dict, "latin1"), data]));
}

function fileName(name) {
  let s = name.replace(/[^A-Za-z0-9._-]/g, "_");
  if (s === "" || s === "." || s === "..") s = "_" + s;
  return s;
}

function createSession(model, optFile) {
  const options = {
    executionProviders: ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  };
  if (optFile) options.optimizedModelFilePath = optFile;
  return ort.InferenceSession.create(model, options);
}

async function runBatch(model, inputName, inputFile, outFile) {
  const session = await createSession(model, null);
  const all = readNpy(inputFile);
  if (all.dims.length < 2) throw new Error(inputFile + ": expected a batch (N, ...), found " + all.dims.length + " axes");
  const n = all.dims[0];
  const per = all.data.length / n;
  const outputs = [];
  for (let i = 0; i < n; ++i) {
    const x = new ort.Tensor(all.type, all.data.slice(i * per, (i + 1) * per), [1, ...all.dims.slice(1)]);
    const feeds = {};
    feeds[inputName] = x;
    const r = await session.run(feeds);
    outputs.push(Array.from(r[session.outputNames[0]].data));
  }
  fs.writeFileSync(outFile, JSON.stringify({outputs: outputs}) + "\n");
}

(async () => {
  if (process.argv[2] === "--batch") {
    await runBatch(...process.argv.slice(3, 7));
    return;
  }
  const [model, inputName, inputFile, outDir, optFile] = process.argv.slice(2);
  const session = await createSession(model, optFile);
  const feeds = {};
  feeds[inputName] = readNpy(inputFile);
  const results = await session.run(feeds);
  fs.mkdirSync(outDir, {recursive: true});
  for (const name of session.outputNames) {
    writeNpy(path.join(outDir, fileName(name) + ".npy"), results[name]);
  }
})().catch((e) => {
  console.error("ort_run.js: " + e.message);
  process.exit(1);
});
