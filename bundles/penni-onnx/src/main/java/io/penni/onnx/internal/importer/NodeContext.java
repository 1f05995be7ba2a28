package io.penni.onnx.internal.importer;

import io.penni.model.ModelException;

/**
 * The node being read, for messages: every refusal names the file, the node and its operator.
 *
 * @param source the file being imported, as messages name it
 * @param name the node's name (or its position when it has none)
 * @param op the node's operator
 */
record NodeContext(String source, String name, String op) {

    /**
     * @param problem what is wrong, e.g. {@code dilations [2, 2] are not supported}
     * @return the error, {@code SOURCE: node 'NAME' (OP): PROBLEM}
     */
    ModelException error(String problem) {
        return new ModelException(source + ": node '" + name + "' (" + op + "): " + problem);
    }
}
