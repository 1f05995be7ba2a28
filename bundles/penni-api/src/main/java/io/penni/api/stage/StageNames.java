package io.penni.api.stage;

import java.util.List;

/** The names of the built-in stages, in the order a job runs them. */
public interface StageNames {
    /** Trains a built-in architecture from scratch. */
    String PRETRAIN = "pretrain";
    /** Factorises each k×k convolution into bases and coefficients. */
    String DECOMPOSE = "decompose";
    /** Alternating retraining with an L1 penalty on coefficients. */
    String RETRAIN = "retrain";
    /** Zeroes coefficients by the selected pruning strategy. */
    String PRUNE = "prune";
    /** Fine-tunes with pruned coefficients held at zero. */
    String FINETUNE = "finetune";
    /** Removes channels and bases left without coefficients. */
    String SHRINK = "shrink";
    /** Measures accuracy, latency and memory of the result. */
    String EVALUATE = "evaluate";

    /** Every built-in stage in pipeline order. */
    List<String> ALL = List.of(PRETRAIN, DECOMPOSE, RETRAIN, PRUNE, FINETUNE, SHRINK, EVALUATE);
}
