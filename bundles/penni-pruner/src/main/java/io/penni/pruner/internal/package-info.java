/**
 * The prune stage's component, how it picks a strategy, and one job's pruning; not exported.
 */
package io.penni.pruner.internal;
