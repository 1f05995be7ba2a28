package io.penni.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Tells JavaCPP which ND4J native build is on the CLI's class path (the build names it in
 * {@code nd4j.properties}), before ND4J's first class loads; JavaCPP loads only the plain build otherwise.
 */
final class NativeBuild {

    private static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";

    private NativeBuild() {
    }

    static void select() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        Properties p = new Properties();
        try (InputStream in = NativeBuild.class.getResourceAsStream("/io/penni/cli/nd4j.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // the plain build is tried instead
        }
        String extension = p.getProperty("platform.extension", "");
        if (!extension.isEmpty()) {
            System.setProperty(PROPERTY, extension);
        }
    }
}
