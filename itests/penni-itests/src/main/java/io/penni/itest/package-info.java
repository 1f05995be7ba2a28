/** Tests that run inside the real container: launcher, embedded broker, every feature. */
package io.penni.itest;
