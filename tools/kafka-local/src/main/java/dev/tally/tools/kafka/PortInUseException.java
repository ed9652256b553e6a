package dev.tally.tools.kafka;

/** The port asked for is taken by another process, so the local broker cannot listen on it. */
public final class PortInUseException extends IllegalStateException {
  private final int port;

  PortInUseException(int port, Throwable cause) {
    super("port " + port + " is in use", cause);
    this.port = port;
  }

  /** The port that could not be bound. */
  public int port() {
    return port;
  }
}
