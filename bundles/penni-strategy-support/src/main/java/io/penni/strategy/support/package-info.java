/**
 * What every pruning strategy shares: its request parameters declared once ({@link
 * io.penni.strategy.support.Parameter}: name, type, range), converted with the configured defaults into the
 * strategy's typed settings ({@link io.penni.strategy.support.StrategyParameters}), and a base class that answers
 * the SPI's parameter methods from them ({@link io.penni.strategy.support.TypedPruningStrategy}).
 *
 * <p>Not exported by any bundle: each strategy bundle embeds a private copy with bnd's
 * {@code -conditionalpackage: io.penni.strategy.support}. Strategies are deployed, updated and removed one by one
 * while jobs run; sharing this code as a bundle of its own would make every strategy depend on its version being
 * installed, and updating it would rewire every strategy, for a few kilobytes of classes.
 */
package io.penni.strategy.support;
