package io.penni.pruner.internal;

import static io.penni.strategy.testing.StrategyFixtures.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;

import io.penni.api.job.PruningSpec;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.PruningSummary;
import io.penni.pruner.MagnitudeStrategy;

class PruneStageTest {

    @TempDir
    Path dir;

    /** A strategy service as SCR hands it to the stage: its properties, and the instance on request. */
    private record Registered(Map<String, Object> properties, PruningStrategy strategy)
            implements ComponentServiceObjects<PruningStrategy>, ServiceReference<PruningStrategy> {

        static Registered named(String name, int ranking, long id) {
            return new Registered(Map.of(PruningStrategy.NAME, name, Constants.SERVICE_RANKING, ranking,
                    Constants.SERVICE_ID, id), new MagnitudeStrategy());
        }

        @Override
        public PruningStrategy getService() {
            return strategy;
        }

        @Override
        public void ungetService(PruningStrategy service) {
            // a singleton: nothing to release
        }

        @Override
        public ServiceReference<PruningStrategy> getServiceReference() {
            return this;
        }

        @Override
        public Object getProperty(String key) {
            return properties.get(key);
        }

        @Override
        public String[] getPropertyKeys() {
            return properties.keySet().toArray(String[]::new);
        }

        @Override
        public Bundle getBundle() {
            return null; // as for a service unregistered meanwhile
        }

        @Override
        public Bundle[] getUsingBundles() {
            return new Bundle[0];
        }

        @Override
        public boolean isAssignableTo(Bundle bundle, String className) {
            return true;
        }

        @Override
        public int compareTo(Object reference) {
            return 0;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            return new Hashtable<>(properties);
        }

        @Override
        public <A> A adapt(Class<A> type) {
            return null;
        }
    }

    private static PruneStage stage(String defaultStrategy, int waitSeconds, Registered... registered) {
        PruneStage stage = new PruneStage();
        stage.configure(config(PruneStage.Config.class, Map.of("default_strategy", defaultStrategy,
                "strategy_wait_seconds", waitSeconds)));
        stage.strategies = List.of(registered);
        return stage;
    }

    private StageOutcome run(PruneStage stage, Optional<String> requested) throws IOException {
        return stage.run(PruneJobTest.decomposedJob(dir, new PruningSpec(requested, Map.of()), Map.of()));
    }

    @Test
    void aRequestNamingNoStrategyGetsTheConfiguredDefault() throws IOException {
        PruneStage stage = stage("magnitude", 0, Registered.named("other", 10, 1), Registered.named("magnitude", 0, 2));
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class, run(stage, Optional.empty()));
        assertEquals("magnitude", assertInstanceOf(PruningSummary.class, done.summary()).strategy());
    }

    @Test
    void aNamedStrategyThatIsGoneFailsTheJobNotRetryableListingTheAvailableOnes() throws IOException {
        PruneStage stage = stage("", 0, Registered.named("other", 0, 1));
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class, run(stage, Optional.of("magnitude")));
        assertEquals("prune: unknown pruning strategy 'magnitude'; available: other", failed.reason());
        assertFalse(failed.retryable());
    }

    @Test
    void aStrategyThatComesBackWithinTheWaitIsUsed() throws Exception {
        PruneStage stage = stage("", 30);
        Thread update = new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stage.strategies = List.of(Registered.named("magnitude", 0, 7)); // the updated bundle's service
        });
        update.start();
        StageOutcome outcome = run(stage, Optional.of("magnitude"));
        update.join();
        assertInstanceOf(StageOutcome.Completed.class, outcome);
    }

    @Test
    void aServiceWithoutANameIsNeverChosen() throws IOException {
        Registered unnamed = new Registered(Map.of(Constants.SERVICE_RANKING, 100, Constants.SERVICE_ID, 1L),
                new MagnitudeStrategy(MagnitudeStrategy.Fault.THROWS));
        PruneStage stage = stage("", 0, unnamed, Registered.named("magnitude", 0, 2));
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class, run(stage, Optional.empty()));
        assertEquals("magnitude", assertInstanceOf(PruningSummary.class, done.summary()).strategy());
    }

    @Test
    void noStrategyAtAllIsRetryable() throws IOException {
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class,
                run(stage("", 0), Optional.empty()));
        assertTrue(failed.retryable(), failed.reason());
    }
}
