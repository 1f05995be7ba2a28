package io.penni.onnx.internal.importer;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.penni.model.ModelException;
import io.penni.onnx.internal.proto.OnnxIr.AttributeProto;
import io.penni.onnx.internal.proto.OnnxIr.NodeProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;

/** A node's attributes by name, read with the type the operator's specification gives them. */
final class NodeAttributes {

    private final NodeContext node;
    private final Map<String, AttributeProto> byName = new LinkedHashMap<>();

    NodeAttributes(NodeContext node, NodeProto proto) {
        this.node = node;
        proto.getAttributeList().forEach(a -> byName.put(a.getName(), a));
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    long integer(String name, long absent) {
        AttributeProto a = byName.get(name);
        return a == null ? absent : typed(a, AttributeProto.AttributeType.INT).getI();
    }

    float real(String name, float absent) {
        AttributeProto a = byName.get(name);
        return a == null ? absent : typed(a, AttributeProto.AttributeType.FLOAT).getF();
    }

    Optional<long[]> integers(String name) {
        AttributeProto a = byName.get(name);
        return a == null ? Optional.empty()
                : Optional.of(typed(a, AttributeProto.AttributeType.INTS).getIntsList().stream()
                        .mapToLong(Long::longValue).toArray());
    }

    String text(String name, String absent) {
        AttributeProto a = byName.get(name);
        return a == null ? absent : typed(a, AttributeProto.AttributeType.STRING).getS()
                .toString(StandardCharsets.UTF_8);
    }

    Optional<TensorProto> tensor(String name) {
        AttributeProto a = byName.get(name);
        return a == null ? Optional.empty() : Optional.of(typed(a, AttributeProto.AttributeType.TENSOR).getT());
    }

    /** An attribute whose declared type differs from the specification's is refused, not reinterpreted. */
    private AttributeProto typed(AttributeProto a, AttributeProto.AttributeType type) {
        if (a.hasType() && a.getType() != type) {
            throw node.error("attribute '" + a.getName() + "' is of type " + a.getType() + ", the operator takes "
                    + type);
        }
        return a;
    }

    /** @throws ModelException naming the node if an attribute is a reference to a function's attribute */
    void refuseReferences() {
        byName.values().stream().filter(AttributeProto::hasRefAttrName).findFirst().ifPresent(a -> {
            throw node.error("attribute '" + a.getName() + "' refers to a function attribute; functions are not"
                    + " supported");
        });
    }
}
