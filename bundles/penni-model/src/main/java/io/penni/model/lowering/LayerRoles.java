package io.penni.model.lowering;

import io.penni.api.model.Layer;

/** What part each layer type plays in lowering: the one place the planner tells the types apart. */
final class LayerRoles {

    /** The roles: a role's layers fuse and share buffers alike. */
    private enum Role {
        /** A convolution (dense or decomposed): weighted, and may take a pooling. */
        CONVOLUTION,
        /** A fully connected layer: weighted. */
        LINEAR,
        /** Flatten and dropout: the values of the layer they read. */
        VIEW,
        /** An element-wise sum: may take a ReLU. */
        SUM,
        /** Everything else: a step of its own unless it fuses into one. */
        OTHER
    }

    private static final Layer.Visitor<Role> ROLE = new Layer.Visitor<>() {
        @Override
        public Role visitInput(Layer.Input layer) {
            return Role.OTHER;
        }

        @Override
        public Role visitConv2d(Layer.Conv2d layer) {
            return Role.CONVOLUTION;
        }

        @Override
        public Role visitDecomposedConv2d(Layer.DecomposedConv2d layer) {
            return Role.CONVOLUTION;
        }

        @Override
        public Role visitBatchNorm(Layer.BatchNorm layer) {
            return Role.OTHER;
        }

        @Override
        public Role visitRelu(Layer.Relu layer) {
            return Role.OTHER;
        }

        @Override
        public Role visitClippedRelu(Layer.ClippedRelu layer) {
            return Role.OTHER;
        }

        @Override
        public Role visitPool(Layer.Pool layer) {
            return Role.OTHER;
        }

        @Override
        public Role visitGlobalAvgPool(Layer.GlobalAvgPool layer) {
            return Role.OTHER;
        }

        @Override
        public Role visitAdd(Layer.Add layer) {
            return Role.SUM;
        }

        @Override
        public Role visitFlatten(Layer.Flatten layer) {
            return Role.VIEW;
        }

        @Override
        public Role visitLinear(Layer.Linear layer) {
            return Role.LINEAR;
        }

        @Override
        public Role visitDropout(Layer.Dropout layer) {
            return Role.VIEW;
        }
    };

    private LayerRoles() {
    }

    /** @return whether the layer has weights a batch norm can fold into (a convolution or linear layer) */
    static boolean weighted(Layer layer) {
        Role role = layer.accept(ROLE);
        return role == Role.CONVOLUTION || role == Role.LINEAR;
    }

    /** @return whether the layer is a dense or decomposed convolution */
    static boolean convolution(Layer layer) {
        return layer.accept(ROLE) == Role.CONVOLUTION;
    }

    /** @return whether the layer is an element-wise sum */
    static boolean sum(Layer layer) {
        return layer.accept(ROLE) == Role.SUM;
    }

    /** @return whether the layer only names another's values (flatten, dropout) */
    static boolean view(Layer layer) {
        return layer.accept(ROLE) == Role.VIEW;
    }
}
