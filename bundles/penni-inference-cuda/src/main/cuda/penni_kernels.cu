// PENNI inference kernels, compiled to PTX at build time (src/main/build-native.sh) and loaded through the CUDA
// driver API by io.penni.inference.cuda.internal.CudaDriver. One thread per output value; every kernel takes
// the batch as its outermost index. Batch norm arrives folded into per-channel scale/shift (conv bias folded
// into shift), so a convolution's epilogue is y = acc * scale[n] + shift[n] (+ residual), then ReLU if asked.

extern "C" {

static __device__ __forceinline__ float epilogue(float acc, const float* scale, const float* shift,
        const float* residual, long index, int n, int relu) {
    float y = acc * scale[n] + shift[n];
    if (residual != nullptr) {
        y += residual[index];
    }
    return relu ? fmaxf(y, 0.0f) : y;
}

// Basis convolution: every input channel with each of the d basis kernels. maps[b][c*d + j][p].
__global__ void basis_conv(const float* in, float* maps, const float* basis, int batch, int channels, int height,
        int width, int bases, int kernel, int stride, int pad, int outHeight, int outWidth) {
    long pixels = (long) outHeight * outWidth;
    long total = (long) batch * channels * pixels;
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) {
        return;
    }
    long p = i % pixels;
    long c = (i / pixels) % channels;
    long b = i / (pixels * channels);
    int oy = (int) (p / outWidth);
    int ox = (int) (p % outWidth);
    const float* plane = in + (b * channels + c) * (long) height * width;
    float acc[9];
    for (int j = 0; j < bases && j < 9; j++) {
        acc[j] = 0.0f;
    }
    for (int ky = 0; ky < kernel; ky++) {
        int iy = oy * stride - pad + ky;
        if (iy < 0 || iy >= height) {
            continue;
        }
        for (int kx = 0; kx < kernel; kx++) {
            int ix = ox * stride - pad + kx;
            if (ix < 0 || ix >= width) {
                continue;
            }
            float v = plane[iy * width + ix];
            int t = ky * kernel + kx;
            for (int j = 0; j < bases && j < 9; j++) {
                acc[j] += basis[j * kernel * kernel + t] * v;
            }
        }
    }
    float* out = maps + (b * channels + c) * (long) bases * pixels + p;
    for (int j = 0; j < bases && j < 9; j++) {
        out[j * pixels] = acc[j];
    }
}

// Sparse 1x1 convolution of the maps with the coefficients in compressed-row form, fused epilogue.
__global__ void sparse_coefficients(const float* maps, float* out, const int* rowStart, const int* columns,
        const float* values, const float* scale, const float* shift, const float* residual, int batch,
        int outChannels, int mapCount, long pixels, int relu) {
    long total = (long) batch * outChannels * pixels;
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) {
        return;
    }
    long p = i % pixels;
    int n = (int) ((i / pixels) % outChannels);
    long b = i / (pixels * outChannels);
    const float* image = maps + b * (long) mapCount * pixels + p;
    float acc = 0.0f;
    for (int e = rowStart[n]; e < rowStart[n + 1]; e++) {
        acc += values[e] * image[(long) columns[e] * pixels];
    }
    out[i] = epilogue(acc, scale, shift, residual, i, n, relu);
}

// Dense (grouped) convolution, fused epilogue. weight [N, C/groups, k, k].
__global__ void dense_conv(const float* in, float* out, const float* weight, const float* scale, const float* shift,
        const float* residual, int batch, int channels, int height, int width, int outChannels, int kernel,
        int stride, int pad, int groups, int outHeight, int outWidth, int relu) {
    long pixels = (long) outHeight * outWidth;
    long total = (long) batch * outChannels * pixels;
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) {
        return;
    }
    long p = i % pixels;
    int n = (int) ((i / pixels) % outChannels);
    long b = i / (pixels * outChannels);
    int oy = (int) (p / outWidth);
    int ox = (int) (p % outWidth);
    int perGroup = channels / groups;
    int group = n / (outChannels / groups);
    float acc = 0.0f;
    for (int ci = 0; ci < perGroup; ci++) {
        const float* plane = in + (b * channels + group * perGroup + ci) * (long) height * width;
        const float* w = weight + ((long) n * perGroup + ci) * kernel * kernel;
        for (int ky = 0; ky < kernel; ky++) {
            int iy = oy * stride - pad + ky;
            if (iy < 0 || iy >= height) {
                continue;
            }
            for (int kx = 0; kx < kernel; kx++) {
                int ix = ox * stride - pad + kx;
                if (ix >= 0 && ix < width) {
                    acc += w[ky * kernel + kx] * plane[iy * width + ix];
                }
            }
        }
    }
    out[i] = epilogue(acc, scale, shift, residual, i, n, relu);
}

// Fully connected layer, fused epilogue. weight [out, in].
__global__ void linear(const float* in, float* out, const float* weight, const float* scale, const float* shift,
        const float* residual, int batch, int inFeatures, int outFeatures, int relu) {
    long total = (long) batch * outFeatures;
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) {
        return;
    }
    int o = (int) (i % outFeatures);
    long b = i / outFeatures;
    const float* x = in + b * inFeatures;
    const float* w = weight + (long) o * inFeatures;
    float acc = 0.0f;
    for (int k = 0; k < inFeatures; k++) {
        acc += w[k] * x[k];
    }
    out[i] = epilogue(acc, scale, shift, residual, i, o, relu);
}

// Max or average pooling (average counts padding as zeros, max never takes it).
__global__ void pool(const float* in, float* out, int batch, int channels, int height, int width, int kernel,
        int stride, int pad, int outHeight, int outWidth, int isMax) {
    long pixels = (long) outHeight * outWidth;
    long total = (long) batch * channels * pixels;
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) {
        return;
    }
    long p = i % pixels;
    long bc = i / pixels;
    int oy = (int) (p / outWidth);
    int ox = (int) (p % outWidth);
    const float* plane = in + bc * (long) height * width;
    float best = -INFINITY;
    float sum = 0.0f;
    for (int ky = 0; ky < kernel; ky++) {
        int iy = oy * stride - pad + ky;
        for (int kx = 0; kx < kernel; kx++) {
            int ix = ox * stride - pad + kx;
            if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                float v = plane[iy * width + ix];
                best = fmaxf(best, v);
                sum += v;
            }
        }
    }
    out[i] = isMax ? best : sum / (kernel * kernel);
}

// The mean of each channel's map.
__global__ void global_average(const float* in, float* out, int batch, int channels, long pixels) {
    long total = (long) batch * channels;
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) {
        return;
    }
    const float* plane = in + i * pixels;
    float sum = 0.0f;
    for (long p = 0; p < pixels; p++) {
        sum += plane[p];
    }
    out[i] = sum / pixels;
}

// Per-channel affine map (batch norm that could not be folded), optional ReLU.
__global__ void affine(const float* in, float* out, const float* scale, const float* shift, int batch,
        int channels, long pixels, int relu) {
    long total = (long) batch * channels * pixels;
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) {
        return;
    }
    int c = (int) ((i / pixels) % channels);
    float y = in[i] * scale[c] + shift[c];
    out[i] = relu ? fmaxf(y, 0.0f) : y;
}

// out = a + b, optional ReLU; with b null, out = relu(a).
__global__ void add(const float* a, const float* b, float* out, long count, int relu) {
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) {
        return;
    }
    float y = b != nullptr ? a[i] + b[i] : a[i];
    out[i] = relu ? fmaxf(y, 0.0f) : y;
}

}
