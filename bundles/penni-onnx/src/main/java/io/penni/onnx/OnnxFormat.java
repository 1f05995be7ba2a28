package io.penni.onnx;

/**
 * What this project reads and writes of the ONNX format: the opsets an imported graph may declare, the opset and IR
 * version exported graphs declare.
 */
public final class OnnxFormat {

    /** The oldest default-domain opset an imported graph may declare. */
    public static final int MIN_IMPORT_OPSET = 9;

    /** The newest default-domain opset an imported graph may declare. */
    public static final int MAX_IMPORT_OPSET = 21;

    /** The default-domain opset exported graphs declare. */
    public static final int EXPORT_OPSET = 17;

    /** The IR version exported files declare (IR 8 goes with opset 17). */
    public static final int EXPORT_IR_VERSION = 8;

    private OnnxFormat() {
    }
}
