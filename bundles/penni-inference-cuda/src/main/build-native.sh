#!/usr/bin/env bash
# Builds the CUDA backend's native parts into the bundle's classes: the kernels as PTX (nvcc, when on the PATH)
# and the JNI shim (gcc, against the JDK's jni.h; it dlopens libcuda.so.1 at run time, so no CUDA library is
# needed to build it). Either is skipped with a message where its compiler is missing; the backend then reports
# itself unavailable at run time instead of failing the build.
set -uo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: build-native.sh OUTPUT_DIR}
mkdir -p "$OUT"
if command -v nvcc >/dev/null 2>&1; then
  # compute_75 PTX (the oldest CUDA 13 accepts): the driver JIT-compiles it for the GPU it finds, H100 included
  if nvcc -ptx -arch=compute_75 -O3 -o "$OUT/penni_kernels.ptx" "$SRC/cuda/penni_kernels.cu"; then
    echo "penni-inference-cuda: kernels compiled to PTX with $(nvcc --version | tail -1)"
  else
    echo "penni-inference-cuda: nvcc failed; the bundle is built without kernels" >&2
  fi
else
  echo "penni-inference-cuda: no nvcc on the PATH, skipping the PTX kernels (the backend will say it has none)"
fi
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
if command -v gcc >/dev/null 2>&1 && [ -f "$JAVA_HOME/include/jni.h" ]; then
  gcc -O2 -fPIC -shared -Wall -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" -o "$OUT/libpenni_cuda.so" \
    "$SRC/c/penni_cuda.c" -ldl && echo "penni-inference-cuda: JNI shim built"
else
  echo "penni-inference-cuda: no gcc or no jni.h under $JAVA_HOME, skipping the JNI shim"
fi
exit 0
