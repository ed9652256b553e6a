package dev.tally.streams.store;

import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Builds a store of Tally's own around a logged bytes store: the wrapper decides what is written
 * and when, the inner store (and Kafka Streams' changelogging around it) keeps and restores it.
 * Caching is refused (the wrapper is its own cache) and so is turning logging off (the changelog is
 * what makes the wrapper's contents survive a crash).
 */
final class LoggedWrapperBuilder<S extends StateStore> implements StoreBuilder<S> {
  private StoreBuilder<KeyValueStore<Bytes, byte[]>> logged;
  private final Function<KeyValueStore<Bytes, byte[]>, S> wrap;

  LoggedWrapperBuilder(
      StoreBuilder<KeyValueStore<Bytes, byte[]>> logged,
      Function<KeyValueStore<Bytes, byte[]>, S> wrap) {
    this.logged = logged.withCachingDisabled().withLoggingEnabled(Map.of());
    this.wrap = wrap;
  }

  @Override
  public StoreBuilder<S> withCachingEnabled() {
    throw new UnsupportedOperationException("the store is its own cache");
  }

  @Override
  public StoreBuilder<S> withCachingDisabled() {
    return this;
  }

  @Override
  public StoreBuilder<S> withLoggingEnabled(Map<String, String> config) {
    logged = logged.withLoggingEnabled(config);
    return this;
  }

  @Override
  public StoreBuilder<S> withLoggingDisabled() {
    throw new UnsupportedOperationException("the store exists to be changelogged");
  }

  @Override
  public S build() {
    return wrap.apply(logged.build());
  }

  @Override
  public Map<String, String> logConfig() {
    return logged.logConfig();
  }

  @Override
  public boolean loggingEnabled() {
    return true;
  }

  @Override
  public String name() {
    return logged.name();
  }
}
