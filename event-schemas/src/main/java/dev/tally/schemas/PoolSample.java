package dev.tally.schemas;

/**
 * A sample of a resource pool's current usage.
 *
 * <p>Wire type {@code pool.sample}; see {@link EventType#POOL_SAMPLE}.
 *
 * @param envelope the fields shared by every event
 * @param pool the pool name; {@link #DEFAULT_POOL} when absent on the wire, never {@code null}
 * @param active resources in use
 * @param idle resources ready but unused
 */
public record PoolSample(Envelope envelope, String pool, long active, long idle) implements Event {
  /** The pool name used when an event names none. */
  public static final String DEFAULT_POOL = "default";

  public PoolSample {
    envelope = Events.requireType(envelope, EventType.POOL_SAMPLE);
    pool = pool == null ? DEFAULT_POOL : pool;
  }
}
