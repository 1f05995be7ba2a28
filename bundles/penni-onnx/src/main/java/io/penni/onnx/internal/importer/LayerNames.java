package io.penni.onnx.internal.importer;

import java.util.HashSet;
import java.util.Set;

/**
 * IR layer names made from ONNX node names, so reports speak the user's names: PyTorch's scope path
 * {@code /layer1/conv1/Conv} becomes {@code layer1.conv1.Conv}. Characters outside letters, digits, dot, dash and
 * underscore become underscores; a name taken already gets a suffix {@code _2}, {@code _3}, ...
 */
final class LayerNames {

    private final Set<String> taken = new HashSet<>();

    /**
     * @param onnxName the node's (or graph input's) name, possibly empty
     * @param fallback the name to use when it has none, e.g. {@code Conv_3}
     * @return a unique IR layer name
     */
    String of(String onnxName, String fallback) {
        String base = sanitise(onnxName);
        if (base.isEmpty()) {
            base = sanitise(fallback);
        }
        String name = base;
        for (int n = 2; !taken.add(name); n++) {
            name = base + "_" + n;
        }
        return name;
    }

    static String sanitise(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            if (c == '/') {
                out.append('.');
            } else if (c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
                out.append(c);
            } else {
                out.append('_');
            }
        }
        int start = 0;
        int end = out.length();
        while (start < end && out.charAt(start) == '.') {
            start++;
        }
        while (end > start && out.charAt(end - 1) == '.') {
            end--;
        }
        return out.substring(start, end);
    }
}
