package io.penni.bench.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class SamplesTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        assertEquals(3.0, Samples.median(List.of(9.0, 1.0, 3.0)));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, Samples.median(List.of(4.0, 1.0, 3.0, 2.0)));
    }

    @Test
    void p90IsTheNearestRankValue() {
        List<Double> oneToTwenty = java.util.stream.IntStream.rangeClosed(1, 20).mapToObj(i -> (double) i).toList();
        assertEquals(18.0, Samples.percentile(oneToTwenty, 90));
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Samples.median(List.of()));
    }
}
