/*
 * The JNI shim of io.penni.inference.cuda.internal.CudaDriver: the few CUDA driver API calls the backend needs,
 * looked up at run time with dlopen("libcuda.so.1"), so that nothing links against CUDA at build time and the
 * library loads (and says why it cannot run) on machines without a GPU or driver.
 */
#include <dlfcn.h>
#include <jni.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef unsigned long long CUdeviceptr;

static CUresult (*cu_init)(unsigned int);
static CUresult (*cu_device_get_count)(int *);
static CUresult (*cu_device_get)(CUdevice *, int);
static CUresult (*cu_device_get_name)(char *, int, CUdevice);
static CUresult (*cu_primary_ctx_retain)(CUcontext *, CUdevice);
static CUresult (*cu_ctx_set_current)(CUcontext);
static CUresult (*cu_module_load_data)(CUmodule *, const void *);
static CUresult (*cu_module_get_function)(CUfunction *, CUmodule, const char *);
static CUresult (*cu_mem_alloc)(CUdeviceptr *, size_t);
static CUresult (*cu_mem_free)(CUdeviceptr);
static CUresult (*cu_memcpy_htod)(CUdeviceptr, const void *, size_t);
static CUresult (*cu_memcpy_dtoh)(void *, CUdeviceptr, size_t);
static CUresult (*cu_launch_kernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
        unsigned, void *, void **, void **);
static CUresult (*cu_ctx_synchronize)(void);
static CUresult (*cu_get_error_string)(CUresult, const char **);

static CUcontext context;
static CUdevice device;

static int fail(JNIEnv *env, const char *call, CUresult r) {
    char message[256];
    const char *text = "unknown error";
    if (cu_get_error_string != NULL) {
        cu_get_error_string(r, &text);
    }
    snprintf(message, sizeof message, "%s failed: CUDA error %d (%s)", call, r, text);
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalStateException"), message);
    return 1;
}

#define CHECK(env, call, expr) do { CUresult r_ = (expr); if (r_ != 0) { fail(env, call, r_); return 0; } } while (0)
#define CHECK_VOID(env, call, expr) do { CUresult r_ = (expr); if (r_ != 0) { fail(env, call, r_); return; } } while (0)

static int current(JNIEnv *env) {
    CUresult r = cu_ctx_set_current(context);
    if (r != 0) {
        fail(env, "cuCtxSetCurrent", r);
        return 0;
    }
    return 1;
}

#define LOAD(name, symbol) do { *(void **) (&name) = dlsym(lib, symbol); \
    if (name == NULL) { return (*env)->NewStringUTF(env, "libcuda.so.1 has no " symbol); } } while (0)

/* "" when a device is ready, else one line saying why not. */
JNIEXPORT jstring JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_open(JNIEnv *env, jclass cls) {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        char message[512];
        snprintf(message, sizeof message, "no CUDA driver: %s", dlerror());
        return (*env)->NewStringUTF(env, message);
    }
    LOAD(cu_init, "cuInit");
    LOAD(cu_device_get_count, "cuDeviceGetCount");
    LOAD(cu_device_get, "cuDeviceGet");
    LOAD(cu_device_get_name, "cuDeviceGetName");
    LOAD(cu_primary_ctx_retain, "cuDevicePrimaryCtxRetain");
    LOAD(cu_ctx_set_current, "cuCtxSetCurrent");
    LOAD(cu_module_load_data, "cuModuleLoadData");
    LOAD(cu_module_get_function, "cuModuleGetFunction");
    LOAD(cu_mem_alloc, "cuMemAlloc_v2");
    LOAD(cu_mem_free, "cuMemFree_v2");
    LOAD(cu_memcpy_htod, "cuMemcpyHtoD_v2");
    LOAD(cu_memcpy_dtoh, "cuMemcpyDtoH_v2");
    LOAD(cu_launch_kernel, "cuLaunchKernel");
    LOAD(cu_ctx_synchronize, "cuCtxSynchronize");
    LOAD(cu_get_error_string, "cuGetErrorString");
    char message[256];
    CUresult r = cu_init(0);
    if (r != 0) {
        snprintf(message, sizeof message, "cuInit failed with CUDA error %d: no usable GPU or driver", r);
        return (*env)->NewStringUTF(env, message);
    }
    int count = 0;
    r = cu_device_get_count(&count);
    if (r != 0 || count < 1) {
        return (*env)->NewStringUTF(env, "the CUDA driver sees no GPU");
    }
    r = cu_device_get(&device, 0);
    if (r == 0) {
        r = cu_primary_ctx_retain(&context, device);
    }
    if (r != 0) {
        snprintf(message, sizeof message, "cannot open GPU 0: CUDA error %d", r);
        return (*env)->NewStringUTF(env, message);
    }
    return (*env)->NewStringUTF(env, "");
}

JNIEXPORT jstring JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_deviceName(JNIEnv *env, jclass cls) {
    char name[256] = {0};
    CHECK(env, "cuDeviceGetName", cu_device_get_name(name, sizeof name - 1, device));
    return (*env)->NewStringUTF(env, name);
}

JNIEXPORT jlong JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_loadModule(JNIEnv *env, jclass cls,
        jbyteArray ptx) {
    if (!current(env)) {
        return 0;
    }
    jsize length = (*env)->GetArrayLength(env, ptx);
    char *image = (char *) (*env)->GetByteArrayElements(env, ptx, NULL);
    char *text = malloc((size_t) length + 1);
    memcpy(text, image, (size_t) length);
    text[length] = 0;
    (*env)->ReleaseByteArrayElements(env, ptx, (jbyte *) image, JNI_ABORT);
    CUmodule module;
    CUresult r = cu_module_load_data(&module, text);
    free(text);
    CHECK(env, "cuModuleLoadData", r);
    return (jlong) (intptr_t) module;
}

JNIEXPORT jlong JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_function(JNIEnv *env, jclass cls,
        jlong module, jstring name) {
    const char *n = (*env)->GetStringUTFChars(env, name, NULL);
    CUfunction function;
    CUresult r = cu_module_get_function(&function, (CUmodule) (intptr_t) module, n);
    (*env)->ReleaseStringUTFChars(env, name, n);
    CHECK(env, "cuModuleGetFunction", r);
    return (jlong) (intptr_t) function;
}

JNIEXPORT jlong JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_malloc(JNIEnv *env, jclass cls,
        jlong bytes) {
    if (!current(env)) {
        return 0;
    }
    CUdeviceptr pointer;
    CHECK(env, "cuMemAlloc", cu_mem_alloc(&pointer, (size_t) bytes));
    return (jlong) pointer;
}

JNIEXPORT void JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_free(JNIEnv *env, jclass cls,
        jlong pointer) {
    if (current(env)) {
        CHECK_VOID(env, "cuMemFree", cu_mem_free((CUdeviceptr) pointer));
    }
}

JNIEXPORT void JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_upload(JNIEnv *env, jclass cls,
        jlong pointer, jfloatArray data, jint offset, jint count) {
    if (!current(env)) {
        return;
    }
    jfloat *values = (*env)->GetPrimitiveArrayCritical(env, data, NULL);
    CUresult r = cu_memcpy_htod((CUdeviceptr) pointer, values + offset, (size_t) count * sizeof(float));
    (*env)->ReleasePrimitiveArrayCritical(env, data, values, JNI_ABORT);
    CHECK_VOID(env, "cuMemcpyHtoD", r);
}

JNIEXPORT void JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_uploadInts(JNIEnv *env, jclass cls,
        jlong pointer, jintArray data) {
    if (!current(env)) {
        return;
    }
    jsize count = (*env)->GetArrayLength(env, data);
    jint *values = (*env)->GetPrimitiveArrayCritical(env, data, NULL);
    CUresult r = cu_memcpy_htod((CUdeviceptr) pointer, values, (size_t) count * sizeof(jint));
    (*env)->ReleasePrimitiveArrayCritical(env, data, values, JNI_ABORT);
    CHECK_VOID(env, "cuMemcpyHtoD", r);
}

JNIEXPORT void JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_download(JNIEnv *env, jclass cls,
        jlong pointer, jfloatArray data, jint offset, jint count) {
    if (!current(env)) {
        return;
    }
    jfloat *values = (*env)->GetPrimitiveArrayCritical(env, data, NULL);
    CUresult r = cu_memcpy_dtoh(values + offset, (CUdeviceptr) pointer, (size_t) count * sizeof(float));
    (*env)->ReleasePrimitiveArrayCritical(env, data, values, 0);
    CHECK_VOID(env, "cuMemcpyDtoH", r);
}

/* Every kernel parameter is one 8-byte slot: pointers and longs whole, ints and floats in the low 4 bytes. */
JNIEXPORT void JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_launch(JNIEnv *env, jclass cls,
        jlong function, jint grid, jint block, jlongArray arguments) {
    if (!current(env)) {
        return;
    }
    jsize count = (*env)->GetArrayLength(env, arguments);
    jlong slots[32];
    void *params[32];
    if (count > 32) {
        (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalArgumentException"), "more than 32 kernel parameters");
        return;
    }
    (*env)->GetLongArrayRegion(env, arguments, 0, count, slots);
    for (jsize i = 0; i < count; i++) {
        params[i] = &slots[i];
    }
    CHECK_VOID(env, "cuLaunchKernel", cu_launch_kernel((CUfunction) (intptr_t) function, (unsigned) grid, 1, 1,
            (unsigned) block, 1, 1, 0, NULL, params, NULL));
}

JNIEXPORT void JNICALL Java_io_penni_inference_cuda_internal_CudaDriver_synchronize(JNIEnv *env, jclass cls) {
    if (current(env)) {
        CHECK_VOID(env, "cuCtxSynchronize", cu_ctx_synchronize());
    }
}
