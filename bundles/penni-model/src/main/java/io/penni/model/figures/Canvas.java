package io.penni.model.figures;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;

/**
 * A white RGB image to draw on, with text that degrades to nothing where the platform has no fonts (a bare
 * container image): a picture without its labels still shows the data, a failed report would show nothing.
 */
final class Canvas implements AutoCloseable {

    static final Color INK = new Color(0x22, 0x22, 0x22);
    static final Color GRID = new Color(0xdd, 0xdd, 0xdd);
    static final Color FRAME = new Color(0x88, 0x88, 0x88);

    static {
        // no display is ever needed: images are drawn in memory
        System.setProperty("java.awt.headless", "true");
    }

    final BufferedImage image;
    final Graphics2D g;
    private boolean fonts = true;

    Canvas(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setStroke(new BasicStroke(1f));
    }

    /** Draws text with its left end at x and its baseline at y, in the given size. */
    void text(String text, int x, int y, int size, boolean bold, Color color) {
        if (!fonts) {
            return;
        }
        try {
            g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size));
            g.setColor(color);
            g.drawString(text, x, y);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError v) {
                throw v;
            }
            fonts = false; // no usable font here: the picture goes without its labels
        }
    }

    /** Text centred on x. */
    void centred(String text, int x, int y, int size, Color color) {
        text(text, x - width(text, size) / 2, y, size, false, color);
    }

    /** Text ending at x. */
    void right(String text, int x, int y, int size, Color color) {
        text(text, x - width(text, size), y, size, false, color);
    }

    /** Text rotated to read upwards, centred on y, baseline at x. */
    void vertical(String text, int x, int y, int size, Color color) {
        if (!fonts) {
            return;
        }
        Graphics2D r = (Graphics2D) g.create();
        try {
            r.rotate(-Math.PI / 2);
            r.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
            r.setColor(color);
            r.drawString(text, -y - width(text, size) / 2, x);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError v) {
                throw v;
            }
            fonts = false;
        } finally {
            r.dispose();
        }
    }

    int width(String text, int size) {
        if (!fonts) {
            return text.length() * size / 2;
        }
        try {
            FontMetrics m = g.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, size));
            return m.stringWidth(text);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError v) {
                throw v;
            }
            fonts = false;
            return text.length() * size / 2;
        }
    }

    /**
     * The width text will take, for sizing a picture before it is drawn.
     *
     * @return the width in pixels; an estimate where the platform has no fonts
     */
    static int textWidth(String text, int size, boolean bold) {
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = probe.createGraphics();
        try {
            return g.getFontMetrics(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size)).stringWidth(text);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError v) {
                throw v;
            }
            return text.length() * size * 6 / 10;
        } finally {
            g.dispose();
        }
    }

    /** @return the image as PNG */
    byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("the JDK has no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        g.dispose();
    }

    /** A number in at most 3 significant digits, e.g. 0.0421, 1.25, 312. */
    static String number(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v == 0 ? "0" : String.valueOf(v);
        }
        String s = String.format(java.util.Locale.ROOT, "%.3g", v);
        if (s.contains("e")) {
            return s;
        }
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }
}
