/** A pruning strategy for the in-framework tests of hot deploy, removal and update; not exported. */
package io.penni.itest.strategy;
