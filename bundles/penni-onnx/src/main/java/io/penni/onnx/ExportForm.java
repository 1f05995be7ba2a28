package io.penni.onnx;

import java.util.Locale;
import java.util.Optional;

/** How a PENNI-decomposed convolution is written to ONNX. Every other layer is written the same in both forms. */
public enum ExportForm {
    /**
     * As PENNI computes it: a grouped convolution with the d basis kernels per input channel (C·d outputs), then a
     * 1×1 convolution with the coefficient matrix {@code [N, C·d]}, batch norm folded into it. The file is as small
     * as the compressed model; a runtime without sparse kernels runs it slower than a dense convolution.
     */
    FACTORED,
    /**
     * One convolution with the reconstructed weights {@code W[n,c] = Σ_j coefficients[n,c,j]·basis[j]}, batch norm
     * folded into it: what any runtime runs fastest when it cannot use the coefficients' sparsity.
     */
    DENSE;

    /** @return the form's name as commands and files spell it: {@code factored} or {@code dense} */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The form a label names.
     *
     * @param label {@code factored} or {@code dense} (any case)
     * @return the form, or empty for any other label
     */
    public static Optional<ExportForm> of(String label) {
        for (ExportForm form : values()) {
            if (form.label().equalsIgnoreCase(label.strip())) {
                return Optional.of(form);
            }
        }
        return Optional.empty();
    }
}
