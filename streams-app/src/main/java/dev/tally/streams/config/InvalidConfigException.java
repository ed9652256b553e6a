package dev.tally.streams.config;

/**
 * A configuration value Tally cannot start with. The message always names the offending key (or
 * catalog entry) so that the operator can fix it without reading a stack trace.
 */
public final class InvalidConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public InvalidConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  /** The configuration key, environment variable or catalog entry that is wrong. */
  public String key() {
    return key;
  }
}
