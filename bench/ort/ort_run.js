// ONNX Runtime on a model and a .npy of frames: a test and bench helper for
// qonnxc's QCDQ export (tests/e2e/test_export_ort.c, bench/bench_ort.sh), not
// part of the product. One thread (intra- and inter-op), the CPU execution
// provider, graph optimizations at --opt LEVEL (disabled, basic, extended or
// all; default all, ONNX Runtime's own default). Only `disabled` runs the ops
// as written: from `basic` on, ONNX Runtime folds BatchNormalization into
// the MatMul/Conv weights and fuses QDQ patterns into integer kernels, which
// rounds floats differently (an activation near a quantizer's tie can land
// on the other side).
//
//   node ort_run.js [--opt LEVEL] run MODEL.onnx IN.npy OUT.npy
//       every frame of IN.npy (float32, frames along dim 0) in one batch;
//       the first output as float32 OUT.npy
//   node ort_run.js [--opt LEVEL] bench SECONDS BATCH MODEL.onnx IN.npy
//       batches of BATCH frames (cycling through IN.npy's frames, prepared
//       beforehand), run repeatedly for about SECONDS after one warm-up run;
//       prints {"frames_per_s": ..., "frames_per_cpu_s": ..., "batch": ...,
//       "runs": ..., ...} as JSON: by wall time, and by the process's CPU time
//       (user + system; the machine may be shared)
//
// Exit codes: 0 ok, 2 usage, 3 ONNX Runtime failed, 4 bad .npy.
'use strict';

const fs = require('fs');
const ort = require('onnxruntime-node');

function fail(code, msg) {
  process.stderr.write(`ort_run: ${msg}\n`);
  process.exit(code);
}

// A float32, C-order .npy (versions 1 to 3): { shape, data: Float32Array }.
function readNpy(path) {
  let buf;
  try {
    buf = fs.readFileSync(path);
  } catch (e) {
    fail(4, `${path}: ${e.message}`);
  }
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY')
    fail(4, `${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header))
    fail(4, `${path}: only little-endian float32 in C order is read (${header.trim()})`);
  const m = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!m) fail(4, `${path}: no shape in the header`);
  const shape = m[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const off = start + headerLen;
  if (buf.length - off < count * 4) fail(4, `${path}: data shorter than the shape says`);
  const data = new Float32Array(count);
  for (let k = 0; k < count; k++) data[k] = buf.readFloatLE(off + 4 * k);
  return { shape, data };
}

function writeNpy(path, shape, data) {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(data.length * 4);
  for (let k = 0; k < data.length; k++) body.writeFloatLE(data[k], 4 * k);
  fs.writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

async function session(model) {
  try {
    return await ort.InferenceSession.create(model, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: optLevel,
      executionProviders: ['cpu'],
    });
  } catch (e) {
    fail(3, `${model}: ${e.message}`);
  }
}

// Frames first..first+count-1 of the input (wrapping around) as one tensor.
function batchOf(input, first, count) {
  const frame = input.data.length / input.shape[0];
  const data = new Float32Array(frame * count);
  for (let k = 0; k < count; k++) {
    const f = (first + k) % input.shape[0];
    data.set(input.data.subarray(f * frame, (f + 1) * frame), k * frame);
  }
  return new ort.Tensor('float32', data, [count, ...input.shape.slice(1)]);
}

async function runOnce(sess, tensor) {
  try {
    const out = await sess.run({ [sess.inputNames[0]]: tensor });
    return out[sess.outputNames[0]];
  } catch (e) {
    fail(3, `run: ${e.message}`);
  }
}

async function cmdRun(model, inPath, outPath) {
  const input = readNpy(inPath);
  const sess = await session(model);
  const out = await runOnce(sess, batchOf(input, 0, input.shape[0]));
  writeNpy(outPath, out.dims.map(Number), Float32Array.from(out.data));
}

async function cmdBench(seconds, batch, model, inPath) {
  const input = readNpy(inPath);
  const sess = await session(model);
  const batches = [];
  for (let k = 0; k < 8; k++) batches.push(batchOf(input, k * batch, batch));
  await runOnce(sess, batches[0]);   // warm-up: first-run allocations
  let runs = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    await runOnce(sess, batches[runs % batches.length]);
    runs++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(JSON.stringify({
    model, batch, runs, seconds: elapsed, frames_per_s: (runs * batch) / elapsed,
    frames_per_cpu_s: (runs * batch) / cpuSeconds,
    threads: 1, graph_optimization: optLevel, onnxruntime: require('onnxruntime-node/package.json').version,
  }) + '\n');
}

const LEVELS = ['disabled', 'basic', 'extended', 'all'];
let argv = process.argv.slice(2);
let optLevel = 'all';
if (argv[0] === '--opt') {
  if (!LEVELS.includes(argv[1])) fail(2, `--opt takes one of ${LEVELS.join(', ')}`);
  optLevel = argv[1];
  argv = argv.slice(2);
}
if (argv[0] === 'run' && argv.length === 4) {
  cmdRun(argv[1], argv[2], argv[3]);
} else if (argv[0] === 'bench' && argv.length === 5 && Number(argv[1]) > 0 &&
           Number.isInteger(Number(argv[2])) && Number(argv[2]) > 0) {
  cmdBench(Number(argv[1]), Number(argv[2]), argv[3], argv[4]);
} else {
  fail(2, 'usage: node ort_run.js [--opt LEVEL] run MODEL.onnx IN.npy OUT.npy\n' +
          '       node ort_run.js [--opt LEVEL] bench SECONDS BATCH MODEL.onnx IN.npy');
}
