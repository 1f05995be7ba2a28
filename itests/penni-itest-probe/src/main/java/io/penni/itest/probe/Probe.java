package io.penni.itest.probe;

import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Offers its configured greeting as a {@code Supplier<String>} with the property {@code penni.itest=probe}. */
@Component(configurationPid = "io.penni.itest.probe", property = "penni.itest=probe")
@Designate(ocd = Probe.Config.class)
public final class Probe implements Supplier<String> {

    /** The probe's configuration. */
    @ObjectClassDefinition(name = "itest probe", description = "A greeting the itests change at run time.")
    public @interface Config {
        /** @return the greeting */
        @AttributeDefinition(description = "What the probe answers.")
        String greeting() default "unconfigured";
    }

    private volatile String greeting;

    @Activate
    @Modified
    void configure(Config config) {
        greeting = config.greeting();
    }

    @Override
    public String get() {
        return greeting;
    }
}
