package dev.tally.cli;

/** A failure the user can act on; printed as one line, without a stack trace, and exit code 1. */
final class CliFailure extends RuntimeException {
  CliFailure(String message, Throwable cause) {
    super(message, cause);
  }

  CliFailure(String message) {
    super(message);
  }
}
