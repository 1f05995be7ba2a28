package io.penni.trainer;

/**
 * A model's accuracy on a test split.
 *
 * @param top1 fraction of images whose highest logit is the label
 * @param top5 fraction whose label is among the five highest logits (1 when there are five classes or fewer)
 * @param loss mean softmax cross-entropy
 * @param images images evaluated
 * @param seconds wall time
 */
public record TestAccuracy(double top1, double top5, double loss, int images, double seconds) {
}
