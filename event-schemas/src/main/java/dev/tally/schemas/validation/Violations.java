package dev.tally.schemas.validation;

import java.util.ArrayList;
import java.util.List;

/** Collects violations in the order they are found. */
final class Violations {
  private final List<Violation> list = new ArrayList<>(4);

  void add(String path, ReasonCode code, String message) {
    list.add(new Violation(path, code, message));
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  List<Violation> list() {
    return list;
  }

  ParseResult.Rejected rejected() {
    return new ParseResult.Rejected(list);
  }
}
