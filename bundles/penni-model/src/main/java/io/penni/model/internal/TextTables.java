package io.penni.model.internal;

import java.util.List;
import java.util.Locale;

/** Markdown tables and number formats for the bundle's human-readable reports. */
public final class TextTables {

    private TextTables() {
    }

    /**
     * Appends a Markdown table with padded columns: the first {@code textColumns} left-aligned, the rest
     * (numbers) right-aligned.
     *
     * @param out where to append
     * @param rows the header row, then the body rows, all of the same length
     * @param textColumns how many leading columns hold text
     */
    public static void table(StringBuilder out, List<String[]> rows, int textColumns) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            out.append('|');
            for (int i = 0; i < row.length; i++) {
                String format = i < textColumns ? " %-" + widths[i] + "s |" : " %" + widths[i] + "s |";
                out.append(String.format(Locale.ROOT, format, row[i]));
            }
            out.append('\n');
            if (r == 0) {
                out.append('|');
                for (int i = 0; i < row.length; i++) {
                    out.append(i < textColumns ? "-".repeat(widths[i] + 2) : "-".repeat(widths[i] + 1) + ":")
                            .append('|');
                }
                out.append('\n');
            }
        }
    }

    /**
     * A count with thousands separators.
     *
     * @param value the count
     * @return e.g. {@code 1,234,567}
     */
    public static String group(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /**
     * A count with a decimal prefix, as papers quote parameter and MAC counts.
     *
     * @param value the count
     * @param unit a unit after the prefix, or empty
     * @return e.g. {@code 1.23 M} for 1234567 and no unit
     */
    public static String scaled(long value, String unit) {
        String[] prefixes = {"", " k", " M", " G", " T"};
        double v = value;
        int p = 0;
        while (Math.abs(v) >= 1000 && p < prefixes.length - 1) {
            v /= 1000;
            p++;
        }
        String number = p == 0 ? Long.toString(value) : String.format(Locale.ROOT, "%.2f", v);
        String suffix = prefixes[p] + unit;
        return number + (suffix.isEmpty() || suffix.startsWith(" ") ? suffix : " " + suffix);
    }
}
