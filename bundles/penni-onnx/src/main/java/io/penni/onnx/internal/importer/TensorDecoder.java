package io.penni.onnx.internal.importer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import com.google.protobuf.ByteString;

import io.penni.model.ModelException;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;

/**
 * Reads a {@code TensorProto} (an initializer or a {@code Constant}'s value) into a constant, after checking its
 * claims against the data it carries: dimensions must multiply to exactly the number of values present, so a
 * file cannot make the importer allocate more than the file itself holds.
 */
final class TensorDecoder {

    private TensorDecoder() {
    }

    /**
     * @param tensor the tensor
     * @param what how messages name it, e.g. {@code initializer 'conv1.weight'}
     * @return a float32 or integer constant
     * @throws ModelException for external data, an unsupported data type, dimensions that do not match the data,
     *         or a non-finite float
     */
    static OnnxValue decode(TensorProto tensor, String what) {
        if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL || tensor.getExternalDataCount() > 0) {
            throw new ModelException(what + " keeps its values in an external data file, which is not supported;"
                    + " save the model with its weights inside the .onnx file (onnx.save_model(model, path,"
                    + " save_as_external_data=False); a model over 2 GB cannot be imported)");
        }
        long[] dims = tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int count = count(dims, what);
        int type = tensor.getDataType();
        boolean raw = tensor.hasRawData();
        return switch (type) {
            case TensorProto.DataType.FLOAT_VALUE -> {
                float[] values = new float[checkCount(what, dims, count,
                        raw ? bytes(tensor.getRawData(), Float.BYTES, what) : tensor.getFloatDataCount())];
                if (raw) {
                    order(tensor.getRawData()).asFloatBuffer().get(values);
                } else {
                    for (int i = 0; i < count; i++) {
                        values[i] = tensor.getFloatData(i);
                    }
                }
                checkFinite(values, what);
                yield new OnnxValue.Floats(dims, values);
            }
            case TensorProto.DataType.INT64_VALUE -> {
                long[] values = new long[checkCount(what, dims, count,
                        raw ? bytes(tensor.getRawData(), Long.BYTES, what) : tensor.getInt64DataCount())];
                if (raw) {
                    order(tensor.getRawData()).asLongBuffer().get(values);
                } else {
                    for (int i = 0; i < count; i++) {
                        values[i] = tensor.getInt64Data(i);
                    }
                }
                yield new OnnxValue.Ints(dims, values);
            }
            case TensorProto.DataType.INT32_VALUE -> {
                long[] values = new long[checkCount(what, dims, count,
                        raw ? bytes(tensor.getRawData(), Integer.BYTES, what) : tensor.getInt32DataCount())];
                if (raw) {
                    var buffer = order(tensor.getRawData()).asIntBuffer();
                    for (int i = 0; i < count; i++) {
                        values[i] = buffer.get(i);
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        values[i] = tensor.getInt32Data(i);
                    }
                }
                yield new OnnxValue.Ints(dims, values);
            }
            default -> throw new ModelException(what + " has data type " + typeName(type)
                    + "; supported: FLOAT (float32) weights, INT64 and INT32 shape constants (quantised and"
                    + " half-precision models must be exported in float32)");
        };
    }

    /** @return the name of an ONNX data type number, e.g. {@code FLOAT16}, or {@code number 42} if unknown */
    static String typeName(int type) {
        TensorProto.DataType known = TensorProto.DataType.forNumber(type);
        return known != null ? known.name() : "number " + type;
    }

    /** The number of values the dimensions claim, refused before anything is allocated if it cannot be held. */
    private static int count(long[] dims, String what) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new ModelException(what + " has a negative dimension in " + Arrays.toString(dims));
            }
            if (d != 0 && count > Integer.MAX_VALUE / d) {
                throw new ModelException(what + " claims dimensions " + Arrays.toString(dims) + ", more than "
                        + Integer.MAX_VALUE + " values");
            }
            count *= d;
        }
        return (int) count;
    }

    private static long bytes(ByteString raw, int width, String what) {
        if (raw.size() % width != 0) {
            throw new ModelException(what + " has " + raw.size() + " bytes of raw data, not a multiple of "
                    + width + " bytes per value");
        }
        return raw.size() / width;
    }

    private static int checkCount(String what, long[] dims, int claimed, long present) {
        if (present != claimed) {
            throw new ModelException(what + " claims dimensions " + Arrays.toString(dims) + " (" + claimed
                    + " values) but holds " + present + " values");
        }
        return claimed;
    }

    private static ByteBuffer order(ByteString raw) {
        return raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new ModelException(what + " has a non-finite value (NaN or infinite) at element " + i);
            }
        }
    }
}
