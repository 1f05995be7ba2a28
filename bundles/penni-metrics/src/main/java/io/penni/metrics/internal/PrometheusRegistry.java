package io.penni.metrics.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The container's one meter registry. JVM and process meters are bound from the start; every
 * {@link MeterBinder} service another bundle registers is bound as it arrives, so each bundle instruments
 * itself without knowing where the meters go.
 */
@Component(service = {MeterRegistry.class, PrometheusMeterRegistry.class}, configurationPid = "penni.metrics")
@Designate(ocd = PrometheusRegistry.Config.class)
public final class PrometheusRegistry extends PrometheusMeterRegistry {

    /** Configuration of the registry. */
    @ObjectClassDefinition(name = "PENNI metrics", description = "The Prometheus meter registry behind /metrics.")
    public @interface Config {
        /** @return tags added to every meter */
        @AttributeDefinition(name = "Common tags", description = "name=value pairs added to every meter, e.g. "
                + "application=penni. Keep them bounded: no job ids.")
        String[] common_tags() default {"application=penni"};
    }

    private final List<MeterBinder> bound = new CopyOnWriteArrayList<>();
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    /** Creates the registry with Prometheus defaults. */
    public PrometheusRegistry() {
        super(PrometheusConfig.DEFAULT);
    }

    @Activate
    void activate(Config config) {
        for (String tag : config.common_tags()) {
            int eq = tag.indexOf('=');
            if (eq > 0) {
                config().commonTags(tag.substring(0, eq).trim(), tag.substring(eq + 1).trim());
            }
        }
        for (MeterBinder binder : List.of(new ClassLoaderMetrics(), new JvmMemoryMetrics(), gcMetrics,
                new JvmThreadMetrics(), new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
            binder.bindTo(this);
        }
        bound.forEach(b -> b.bindTo(this));
    }

    @Deactivate
    void deactivate() {
        gcMetrics.close();
        close();
    }

    /**
     * Binds a bundle's meters.
     *
     * @param binder the bundle's binder
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addBinder(MeterBinder binder) {
        bound.add(binder);
        if (!isClosed()) {
            binder.bindTo(this);
        }
    }

    void removeBinder(MeterBinder binder) {
        // Micrometer cannot unbind; the binder's gauges report NaN once their objects are gone.
        bound.remove(binder);
    }
}
