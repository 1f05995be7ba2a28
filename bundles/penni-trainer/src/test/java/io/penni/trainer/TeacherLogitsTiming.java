package io.penni.trainer;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.penni.api.job.Augmentation;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.model.Model;
import io.penni.datasets.DataSplit;
import io.penni.datasets.Normalization;
import io.penni.model.Architectures;

/**
 * Not a test but a measurement, run on demand ({@code -Dpenni.measure=true}): wall time of distilling epochs on
 * vgg-small with the teacher's logits cached per image against the teacher run every step, in alternating turns
 * so that the shared machine's load falls on both. Prints one line per turn and the medians.
 */
@EnabledIfSystemProperty(named = "penni.measure", matches = "true")
class TeacherLogitsTiming {

    @Test
    void cachedAgainstOnTheFly() throws Exception {
        int images = Integer.getInteger("penni.measure.images", 6000);
        int rounds = Integer.getInteger("penni.measure.rounds", 2);
        int epochs = Integer.getInteger("penni.measure.epochs", 2);
        DataSplit data = FashionMnist.load(images, 500);
        Normalization normalization = Normalization.of(data.train());
        Model teacher = Architectures.create("vgg-small", 1);
        TrainingSchedule schedule = new TrainingSchedule(epochs, 0.01, List.of(), 0.1, 128, 0.9, true, 1e-4);
        // "none" (alpha 0: no teacher at all) is the yardstick the teacher's cost is read against
        List<String> modes = List.of("none", "ON_THE_FLY", "CACHED");
        Map<String, List<Double>> seconds = new java.util.TreeMap<>();
        for (int round = -1; round < rounds; round++) { // round -1 warms the JVM and ND4J up and is not counted
            for (int i = 0; i < modes.size(); i++) {
                String mode = modes.get(Math.floorMod(i + round, modes.size()));
                TrainingRun run = new TrainingRun("finetune", schedule, OptionalInt.empty(), 0, Map.of(),
                        Augmentation.NONE, 42, 0);
                if (!mode.equals("none")) {
                    run = run.distillingFrom(new Teacher(teacher, 0.5, 2, Teacher.Logits.valueOf(mode)));
                }
                long start = System.nanoTime();
                new Trainer(run, new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                        .train(Architectures.create("vgg-small", 2), data, normalization);
                double s = (System.nanoTime() - start) / 1e9;
                if (round >= 0) {
                    seconds.computeIfAbsent(mode, m -> new java.util.ArrayList<>()).add(s);
                }
                System.out.printf("MEASURE round %d %s: %.1f s for %d epochs of %d images (%.0f img/s)%n", round,
                        mode, s, epochs, images, (double) epochs * images / s);
            }
        }
        seconds.forEach((mode, list) -> System.out.printf("MEASURE %s: %s s, median %.1f s%n", mode, list,
                list.stream().sorted().toList().get(list.size() / 2)));
    }
}
