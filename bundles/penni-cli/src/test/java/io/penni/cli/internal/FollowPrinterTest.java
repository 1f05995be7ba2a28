package io.penni.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class FollowPrinterTest {

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private FollowPrinter printer(FollowPrinter.Mode mode) {
        return new FollowPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), mode);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static FollowView.Live live(String text, long second) {
        return new FollowView.Live("pretrain", text, T0.plusSeconds(second));
    }

    @Test
    void onATerminalTheLiveLineIsRedrawnInPlaceAndAShorterOneClearsTheRest() {
        FollowPrinter p = printer(new FollowPrinter.Terminal(80));
        p.print(live("iter 9/10", 0));
        p.print(live("iter 10/10", 1));
        p.print(live("done", 2));
        assertEquals("\riter 9/10\riter 10/10\rdone      \rdone", printed());
    }

    @Test
    void onATerminalLinesThatStayArePrintedAboveTheLiveLine() {
        FollowPrinter p = printer(new FollowPrinter.Terminal(80));
        p.print(live("iter 1/10", 0));
        p.print(new FollowView.Line("epoch 1 done"));
        assertEquals("\riter 1/10\r         \repoch 1 done\niter 1/10", printed());
    }

    @Test
    void onATerminalTheEndOfTheLiveLineClearsIt() {
        FollowPrinter p = printer(new FollowPrinter.Terminal(80));
        p.print(live("iter 1/10", 0));
        p.finish();
        p.print(new FollowView.Line("completed"));
        assertEquals("\riter 1/10\r         \rcompleted\n", printed());
    }

    @Test
    void onATerminalALiveLineIsCutToTheWidthSoItCanBeRedrawn() {
        FollowPrinter p = printer(new FollowPrinter.Terminal(40));
        p.print(live("x".repeat(50), 0));
        assertEquals("\r" + "x".repeat(39), printed());
    }

    @Test
    void elsewhereProgressIsPlainLinesAtMostOnePerIntervalOfEventTime() {
        FollowPrinter p = printer(new FollowPrinter.Plain(Duration.ofSeconds(10)));
        for (int s = 0; s <= 25; s++) {
            p.print(live("at " + s, s));
        }
        assertEquals("at 0\nat 10\nat 20\n", printed());
    }

    @Test
    void elsewhereANewStagesFirstProgressLineIsAlwaysPrinted() {
        FollowPrinter p = printer(new FollowPrinter.Plain(Duration.ofSeconds(10)));
        p.print(live("pretrain 1", 0));
        p.print(new FollowView.Live("decompose", "decompose 1", T0.plusSeconds(1)));
        assertEquals("pretrain 1\ndecompose 1\n", printed());
    }
}
