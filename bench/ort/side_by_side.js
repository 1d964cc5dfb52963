// The side-by-side bench (bench/bench_ort.sh runs it): for each shared model,
// in one run, one thread each:
//   ref          frames/s of the emitted ref executor in memory, one frame at
//                a time (bench_ref's measurement: its "ref_frames_per_s")
//   ort_b1/b64   frames/s of ONNX Runtime on `qonnxc export --format qcdq`,
//                batch 1 and batch 64, graph optimizations at ONNX Runtime's
//                default level (all), on the model's inputs.npy
//   ratio_b1/b64 ref / ort, by wall time; *_cpu: by each process's CPU time
//                (the machine may be shared: compare those when it is busy)
// Prints one JSON document. Every tool runs through an argument vector.
//
//   node side_by_side.js QONNXC BENCH_REF MODELS_DIR SECONDS [MODEL ...]
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const DEFAULT_MODELS = [
  'TFC_1W1A', 'TFC_1W2A', 'TFC_2W2A', 'UNSW_MLP_W2A2',
  'CNV_1W1A_RANDOM', 'CNV_1W2A_RANDOM', 'CNV_2W2A_RANDOM',
  'RESNET20_W4A4_RANDOM', 'RESNET_W2A2_RANDOM', 'MOBILENET_W4A4_RANDOM',
];

function run(file, args) {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
                                    maxBuffer: 1 << 26 });
}

function ortFps(ortRun, model, inputs, seconds, batch) {
  const out = run(process.execPath, [ortRun, 'bench', String(seconds), String(batch), model,
                                     inputs]);
  return JSON.parse(out);
}

function main() {
  const [qonnxc, benchRef, modelsDir, secondsArg, ...named] = process.argv.slice(2);
  const seconds = Number(secondsArg);
  if (!qonnxc || !benchRef || !modelsDir || !(seconds > 0)) {
    process.stderr.write('usage: node side_by_side.js QONNXC BENCH_REF MODELS_DIR SECONDS ' +
                         '[MODEL ...]\n');
    process.exit(2);
  }
  const ortRun = path.join(__dirname, 'ort_run.js');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qonnxc-bench-ort-'));
  const rows = [];
  let failures = 0;
  for (const name of named.length ? named : DEFAULT_MODELS) {
    const dir = path.join(modelsDir, name);
    const row = { model: name };
    try {
      const exported = path.join(tmp, `${name}.onnx`);
      run(qonnxc, ['export', path.join(dir, 'model.onnx'), '--format', 'qcdq', '-o', exported]);
      const inputs = path.join(dir, 'inputs.npy');
      for (const batch of [1, 64]) {
        const ort = ortFps(ortRun, exported, inputs, seconds, batch);
        row[`ort_b${batch}_frames_per_s`] = ort.frames_per_s;
        row[`ort_b${batch}_frames_per_cpu_s`] = ort.frames_per_cpu_s;
      }
    } catch (e) {
      row.ort_error = String(e.message).split('\n')[0];
      failures++;
    }
    try {
      const ref = JSON.parse(run(benchRef, [name])).models[0];
      if (!(ref.ref_frames_per_s > 0)) throw new Error('bench_ref could not time the executor');
      row.ref_frames_per_s = ref.ref_frames_per_s;
      row.ref_frames_per_cpu_s = ref.ref_frames_per_cpu_s;
    } catch (e) {
      row.ref_error = String(e.message).split('\n')[0];
      failures++;
    }
    for (const batch of [1, 64]) {
      if (row.ref_frames_per_s && row[`ort_b${batch}_frames_per_s`]) {
        row[`ratio_b${batch}`] = row.ref_frames_per_s / row[`ort_b${batch}_frames_per_s`];
        row[`ratio_b${batch}_cpu`] = row.ref_frames_per_cpu_s /
                                     row[`ort_b${batch}_frames_per_cpu_s`];
      }
    }
    rows.push(row);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const round = (k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v);
  process.stdout.write(JSON.stringify({
    bench: 'ort_side_by_side',
    cpu: os.cpus()[0].model,
    threads: 1,
    onnxruntime: require('onnxruntime-node/package.json').version,
    ort_graph_optimization: 'all',
    ort_seconds_per_measurement: seconds,
    load_average_1min: os.loadavg()[0],
    models: rows,
  }, round, 2) + '\n');
  process.exit(failures ? 1 : 0);
}

main();
