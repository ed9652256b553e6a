package dev.tally.schemas.validation;

import java.util.Objects;

/**
 * One problem found in an event.
 *
 * @param path a JSON pointer (RFC 6901) to the offending value, e.g. {@code /latency_ms} or {@code
 *     /labels/__name}; the empty string for the whole record
 * @param code why the value was rejected
 * @param message a short explanation for people
 */
public record Violation(String path, ReasonCode code, String message) {

  public Violation {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  /** The JSON pointer to a member of the object at {@code parent}, escaped as RFC 6901 asks. */
  public static String pointer(String parent, String member) {
    if (member.indexOf('~') < 0 && member.indexOf('/') < 0) {
      return parent + "/" + member;
    }
    return parent + "/" + member.replace("~", "~0").replace("/", "~1");
  }

  @Override
  public String toString() {
    return (path.isEmpty() ? "(event)" : path) + ": " + code.code() + " (" + message + ")";
  }
}
