package io.penni.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ArgumentsTest {

    private static Arguments parse(String... args) {
        return Arguments.parse("follow", "JOB [--timeout T]", List.of(args), Set.of("--json"),
                Set.of("--timeout", "--bootstrap"));
    }

    @Test
    void wordsFlagsAndOptionsAreSplitInAnyOrder() {
        Arguments a = parse("--bootstrap", "h:1", "job-1", "--json");
        assertEquals(List.of("job-1"), a.positional());
        assertTrue(a.flag("--json"));
        assertEquals(Optional.of("h:1"), a.option("--bootstrap"));
    }

    @Test
    void anOptionMayCarryItsValueAfterAnEqualsSign() {
        assertEquals(Optional.of("h:1"), parse("job", "--bootstrap=h:1").option("--bootstrap"));
    }

    @Test
    void aDashAloneIsAWordNotAnOption() {
        assertEquals(List.of("-"), parse("-").positional());
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithTheUsageLine() {
        CliException e = assertThrows(CliException.class, () -> parse("job", "--yaml"));
        assertEquals(CliException.USAGE, e.status());
        assertEquals("follow: unknown option --yaml; usage: follow JOB [--timeout T]", e.getMessage());
    }

    @Test
    void anOptionWithoutItsValueIsAUsageError() {
        CliException e = assertThrows(CliException.class, () -> parse("job", "--timeout"));
        assertEquals("follow: --timeout needs a value; usage: follow JOB [--timeout T]", e.getMessage());
    }

    @Test
    void theWrongNumberOfWordsIsAUsageErrorSayingWhatToGive() {
        CliException e = assertThrows(CliException.class, () -> parse("a", "b").exactly(1, "one job id"));
        assertEquals(CliException.USAGE, e.status());
        assertEquals("follow: give one job id; usage: follow JOB [--timeout T]", e.getMessage());
    }

    @Test
    void durationsTakeSecondsMinutesAndHours() {
        assertEquals(Optional.of(Duration.ofSeconds(90)), parse("--timeout", "90").duration("--timeout"));
        assertEquals(Optional.of(Duration.ofSeconds(45)), parse("--timeout", "45s").duration("--timeout"));
        assertEquals(Optional.of(Duration.ofMinutes(10)), parse("--timeout", "10m").duration("--timeout"));
        assertEquals(Optional.of(Duration.ofHours(2)), parse("--timeout", "2h").duration("--timeout"));
    }

    @Test
    void aDurationThatIsNotPositiveIsAUsageError() {
        CliException e = assertThrows(CliException.class, () -> parse("--timeout", "0").duration("--timeout"));
        assertEquals("follow: --timeout takes a positive duration such as 90, 90s, 10m or 2h, got '0'", e.getMessage());
        assertThrows(CliException.class, () -> parse("--timeout", "soon").duration("--timeout"));
    }
}
