package io.penni.model.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.model.Layer;
import io.penni.api.model.Padding;

/**
 * Maps layer records to JSON objects and back, field by record component: {@code {"type": "conv2d",
 * "name": "conv1", "input": "input", "outChannels": 64, ...}}. Going by the components rather than by hand per
 * type keeps the file format and the API records in step: a new field in a record is a new field in the file.
 * Component types are String, int, double, boolean, a list of strings, {@link Layer.PoolKind} (written in
 * lower case) and {@link Padding}: a uniform padding is one number, {@code "padding": 1}, as files have always had it;
 * any other is {@code "pads": [top, left, bottom, right]} in its place (ONNX's order).
 */
public final class LayerJson {

    private static final String TYPE = "type";

    /** The field that holds a {@link Padding} component when its sides differ. */
    private static final String PADS = "pads";

    private LayerJson() {
    }

    /**
     * A layer as a JSON object.
     *
     * @param layer the layer
     * @return its object, {@code type} first
     */
    public static ObjectNode write(Layer layer) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put(TYPE, LayerKinds.name(layer));
        for (RecordComponent component : layer.getClass().getRecordComponents()) {
            Object value = get(component, layer);
            String field = component.getName();
            if (value instanceof String s) {
                node.put(field, s);
            } else if (value instanceof Integer i) {
                node.put(field, i);
            } else if (value instanceof Double d) {
                node.put(field, d);
            } else if (value instanceof Boolean b) {
                node.put(field, b);
            } else if (value instanceof Layer.PoolKind k) {
                node.put(field, k.name().toLowerCase(Locale.ROOT));
            } else if (value instanceof Padding p && p.isUniform()) {
                node.put(field, p.top());
            } else if (value instanceof Padding p) {
                ArrayNode array = node.putArray(PADS);
                Arrays.stream(p.toArray()).forEach(array::add);
            } else if (value instanceof List<?> list) {
                ArrayNode array = node.putArray(field);
                list.forEach(item -> array.add((String) item));
            } else {
                throw new IllegalStateException("cannot write " + component + " of " + layer.getClass().getName());
            }
        }
        return node;
    }

    /**
     * A layer from its JSON object, checking every field's presence and type.
     *
     * @param node the object
     * @return the layer
     * @throws IllegalArgumentException with a one-line message saying what is wrong, for the caller to prefix
     *         with the file and layer
     */
    public static Layer read(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("must be a JSON object");
        }
        JsonNode typeNode = node.get(TYPE);
        if (typeNode == null || !typeNode.isTextual()) {
            throw new IllegalArgumentException("field 'type' is missing or not a string; types: " + LayerKinds.known());
        }
        Class<? extends Layer> type = LayerKinds.type(typeNode.textValue()).orElseThrow(() ->
                new IllegalArgumentException("unknown type '" + typeNode.textValue() + "'; types: " + LayerKinds.known()));
        RecordComponent[] components = type.getRecordComponents();
        List<String> fields = Arrays.stream(components).map(RecordComponent::getName).toList();
        boolean padded = Arrays.stream(components).anyMatch(c -> c.getType() == Padding.class);
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!field.equals(TYPE) && !fields.contains(field) && !(padded && field.equals(PADS))) {
                throw new IllegalArgumentException("unknown field '" + field + "'; " + typeNode.textValue() + " has "
                        + String.join(", ", fields));
            }
        }
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            JsonNode value = node.get(components[i].getName());
            if (components[i].getType() == Padding.class) {
                values[i] = padding(components[i].getName(), value, node.get(PADS));
                types[i] = Padding.class;
                continue;
            }
            if (value == null || value.isNull()) {
                throw new IllegalArgumentException("field '" + components[i].getName() + "' is missing");
            }
            values[i] = value(components[i], value);
            types[i] = components[i].getType();
        }
        try {
            Constructor<? extends Layer> constructor = type.getDeclaredConstructor(types);
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + type.getName(), e);
        }
    }

    private static Object value(RecordComponent component, JsonNode value) {
        Class<?> type = component.getType();
        String field = "field '" + component.getName() + "'";
        if (type == String.class) {
            if (!value.isTextual()) {
                throw new IllegalArgumentException(field + " must be a string, was " + value);
            }
            return value.textValue();
        }
        if (type == int.class) {
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw new IllegalArgumentException(field + " must be an integer, was " + value);
            }
            return value.intValue();
        }
        if (type == double.class) {
            if (!value.isNumber()) {
                throw new IllegalArgumentException(field + " must be a number, was " + value);
            }
            return value.doubleValue();
        }
        if (type == boolean.class) {
            if (!value.isBoolean()) {
                throw new IllegalArgumentException(field + " must be true or false, was " + value);
            }
            return value.booleanValue();
        }
        if (type == Layer.PoolKind.class) {
            String kinds = Arrays.stream(Layer.PoolKind.values()).map(k -> k.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", "));
            if (value.isTextual()) {
                for (Layer.PoolKind kind : Layer.PoolKind.values()) {
                    if (kind.name().toLowerCase(Locale.ROOT).equals(value.textValue())) {
                        return kind;
                    }
                }
            }
            throw new IllegalArgumentException(field + " must be one of " + kinds + ", was " + value);
        }
        if (type == List.class && isListOfStrings(component.getGenericType())) {
            if (!value.isArray()) {
                throw new IllegalArgumentException(field + " must be an array of layer names, was " + value);
            }
            List<String> items = new ArrayList<>();
            for (JsonNode item : value) {
                if (!item.isTextual()) {
                    throw new IllegalArgumentException(field + " must be an array of layer names, was " + value);
                }
                items.add(item.textValue());
            }
            return items;
        }
        throw new IllegalStateException("cannot read " + component + " of " + component.getDeclaringRecord().getName());
    }

    /** A padding from either its one number or its four sides; exactly one of the two fields. */
    private static Padding padding(String field, JsonNode uniform, JsonNode pads) {
        boolean hasUniform = uniform != null && !uniform.isNull();
        boolean hasPads = pads != null && !pads.isNull();
        if (hasUniform == hasPads) {
            throw new IllegalArgumentException(hasUniform ? "fields '" + field + "' and '" + PADS + "' are both given;"
                    + " give '" + field + "' when every side is padded alike, else '" + PADS + "'"
                    : "field '" + field + "' (or '" + PADS + "': [top, left, bottom, right]) is missing");
        }
        if (hasUniform) {
            if (!uniform.isIntegralNumber() || !uniform.canConvertToInt()) {
                throw new IllegalArgumentException("field '" + field + "' must be an integer, was " + uniform);
            }
            return Padding.of(uniform.intValue());
        }
        if (!pads.isArray() || pads.size() != 4 || !allInts(pads)) {
            throw new IllegalArgumentException("field '" + PADS + "' must be four integers [top, left, bottom, right],"
                    + " was " + pads);
        }
        return new Padding(pads.get(0).intValue(), pads.get(1).intValue(), pads.get(2).intValue(),
                pads.get(3).intValue());
    }

    private static boolean allInts(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isListOfStrings(Type type) {
        return type instanceof ParameterizedType p && p.getActualTypeArguments()[0] == String.class;
    }

    private static Object get(RecordComponent component, Layer layer) {
        try {
            return component.getAccessor().invoke(layer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + component + " of " + layer.getClass().getName(), e);
        }
    }
}
