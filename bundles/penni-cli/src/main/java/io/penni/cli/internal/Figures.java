package io.penni.cli.internal;

import java.time.Duration;
import java.util.Locale;

/** How the CLI writes numbers: one place, so every command shows a figure the same way. */
public final class Figures {

    private Figures() {
    }

    /**
     * @param fraction a ratio in 0..1
     * @return it as a percentage with two decimals, e.g. {@code 91.35%}
     */
    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /**
     * @param fraction a ratio in 0..1
     * @return it as a percentage with one decimal, e.g. {@code 91.4%}
     */
    public static String shortPercent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    /**
     * @param n a count
     * @return it with thousands separators, e.g. {@code 1,234,567}
     */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /**
     * @param before the figure before
     * @param after the figure after
     * @return {@code before -> after (-x.x%)}
     */
    public static String change(long before, long after) {
        String reduction = before == 0 ? "" : String.format(Locale.ROOT, " (%+.1f%%)",
                100.0 * (after - before) / before);
        return count(before) + " -> " + count(after) + reduction;
    }

    /**
     * @param value a loss or similar figure
     * @return it with four significant digits
     */
    public static String decimal(double value) {
        return String.format(Locale.ROOT, "%.4g", value);
    }

    /**
     * @param seconds a duration in seconds
     * @return it with one decimal, e.g. {@code 45.2 s}
     */
    public static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }

    /**
     * @param d a duration
     * @return it compactly: {@code 45s}, {@code 3m05s}, {@code 1h02m}
     */
    public static String compact(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /**
     * @param bytes a size
     * @return it in bytes with separators
     */
    public static String bytes(long bytes) {
        return count(bytes) + " bytes";
    }
}
