/**
 * The shrink stage's component, the channel analysis behind {@link io.penni.shrinker.ChannelShrinker}, and how
 * plans are applied and written; not exported.
 */
package io.penni.shrinker.internal;
