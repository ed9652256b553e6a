package dev.tally.exporter.http;

import java.util.Objects;

/**
 * Whether this instance can answer from its stores now, and if not, why: the body of {@code
 * /health/ready}.
 *
 * <pre>{@code
 * Supplier<Readiness> readiness = () -> Readiness.notReady("restoring tally-cumulative");
 * }</pre>
 */
public record Readiness(boolean ready, String reason) {
  public static final Readiness READY = new Readiness(true, "ready");

  public Readiness {
    Objects.requireNonNull(reason, "reason");
  }

  public static Readiness notReady(String reason) {
    return new Readiness(false, reason);
  }
}
