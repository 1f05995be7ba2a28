package io.penni.pruner.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Picks a job's pruning strategy among those registered: the one the request names, else the configured default,
 * else the highest-ranked ({@code service.ranking}, then the lowest {@code service.id}, as OSGi orders services).
 * Where several share the wanted name, the same order decides.
 */
final class StrategySelection {

    private StrategySelection() {
    }

    /**
     * A registered strategy as its service properties describe it.
     *
     * @param <S> how the caller holds the service
     * @param name its {@code penni.strategy} property
     * @param ranking its {@code service.ranking} (0 when unset)
     * @param serviceId its {@code service.id}
     * @param service the service, or a handle to it
     */
    record Candidate<S>(String name, int ranking, long serviceId, S service) {
        Candidate {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * What the selection gave.
     *
     * @param <S> how the caller holds the service
     */
    sealed interface Choice<S> {
    }

    /**
     * A strategy was found.
     *
     * @param <S> how the caller holds the service
     * @param candidate the strategy
     */
    record Chosen<S>(Candidate<S> candidate) implements Choice<S> {
    }

    /**
     * No strategy fits.
     *
     * @param <S> how the caller holds the service
     * @param reason one line, listing the available names
     * @param retryable whether a strategy may yet appear (none is registered at all); a wanted name that is missing
     *        is not worth retrying: the job needs a strategy this container does not have
     */
    record Unavailable<S>(String reason, boolean retryable) implements Choice<S> {
    }

    private static final Comparator<Candidate<?>> OSGI_ORDER = Comparator
            .comparingInt((Candidate<?> c) -> c.ranking()).reversed()
            .thenComparingLong(Candidate::serviceId);

    /**
     * Chooses.
     *
     * @param <S> how the caller holds the service
     * @param candidates the registered strategies
     * @param requested the name the request gives, if any
     * @param configuredDefault the name the stage's configuration gives for requests that name none, if any
     * @return the choice
     */
    static <S> Choice<S> choose(List<Candidate<S>> candidates, Optional<String> requested,
            Optional<String> configuredDefault) {
        if (candidates.isEmpty()) {
            return new Unavailable<>("no pruning strategy is registered; install a penni-strategy-* bundle", true);
        }
        Optional<String> wanted = requested.or(() -> configuredDefault);
        Optional<Candidate<S>> best = candidates.stream()
                .filter(c -> wanted.map(c.name()::equals).orElse(true))
                .min(OSGI_ORDER);
        if (best.isPresent()) {
            return new Chosen<>(best.get());
        }
        TreeSet<String> names = new TreeSet<>();
        candidates.forEach(c -> names.add(c.name()));
        String which = requested.isPresent() ? "unknown pruning strategy '" + requested.get() + "'"
                : "the configured default pruning strategy '" + wanted.orElseThrow() + "' (" + PruneStage.PID
                        + " default.strategy) is not registered";
        return new Unavailable<>(which + "; available: " + String.join(", ", names), false);
    }
}
