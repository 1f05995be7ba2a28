package io.penni.nd4j.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.nd4j.common.config.ND4JClassLoading;
import org.nd4j.linalg.factory.Nd4j;
import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.api.compute.TensorRuntime;

/**
 * Initialises ND4J inside the framework, then registers {@link TensorRuntime}.
 *
 * <p>ND4J, JavaCPP and the native build live together in this bundle because ND4J splits packages across
 * its jars. ND4J finds its backends and ops by class name and {@link java.util.ServiceLoader}, so it must
 * use this bundle's class loader, set before its first use. JavaCPP extracts the native libraries from
 * the bundle into a cache folder. Components that use ND4J reference the {@link TensorRuntime} service,
 * so none of them runs before this activator has finished, also after a bundle refresh.
 */
@Header(name = Constants.BUNDLE_ACTIVATOR, value = "${@class}")
public final class Nd4jActivator implements BundleActivator {

    /** Manifest header naming the native build embedded in this bundle. */
    static final String NATIVE_BUILD_HEADER = "Penni-Native-Build";
    private static final String PLATFORM = "linux-x86_64";
    private static final Logger LOG = LoggerFactory.getLogger(Nd4jActivator.class);

    private ServiceRegistration<TensorRuntime> registration;

    @Override
    public void start(BundleContext context) throws Exception {
        String build = context.getBundle().getHeaders().get(NATIVE_BUILD_HEADER);
        if (build == null || !build.startsWith(PLATFORM)) {
            throw new IllegalStateException("bundle has no usable " + NATIVE_BUILD_HEADER + " header: " + build);
        }
        // JavaCPP looks for "<platform><extension>" libraries; the extension names the build (-avx2, -onednn...).
        String extension = build.substring(PLATFORM.length());
        if (!extension.isEmpty()) {
            System.setProperty("org.bytedeco.javacpp.platform.extension", extension);
        }
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            Path cache = context.getDataFile("javacpp-cache").toPath();
            Files.createDirectories(cache);
            System.setProperty("org.bytedeco.javacpp.cachedir", cache.toString());
        }

        ClassLoader bundleLoader = Nd4jActivator.class.getClassLoader();
        ND4JClassLoading.setNd4jClassloader(bundleLoader);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(bundleLoader);
        long started = System.nanoTime();
        Nd4jTensorRuntime runtime;
        try {
            // The first array forces the backend, the native libraries and the op registry to load.
            Nd4j.create(new float[] {1f, 2f}).sumNumber();
            runtime = new Nd4jTensorRuntime(build);
        } finally {
            thread.setContextClassLoader(previous);
        }
        LOG.info("ND4J {} backend ready in {} ms: native build {}, {} threads, off-heap cap {}, physical cap {}",
                runtime.backend(), (System.nanoTime() - started) / 1_000_000, build, runtime.threads(),
                runtime.maxOffHeapBytes(), runtime.maxPhysicalBytes());

        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("penni.native.build", build);
        properties.put("penni.backend", runtime.backend());
        registration = context.registerService(TensorRuntime.class, runtime, properties);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
