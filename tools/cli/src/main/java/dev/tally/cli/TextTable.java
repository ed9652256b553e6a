package dev.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * An aligned plain-text table for a terminal: a header line, then one line per row; columns two
 * spaces apart, numbers right-aligned, text left-aligned, no trailing spaces.
 *
 * <pre>{@code
 * TextTable table = new TextTable();
 * table.column("service", false).column("value", true);
 * table.row("im-gateway", TextTable.number(series.get("value")));
 * table.print(out);
 * }</pre>
 */
final class TextTable {
  /** What a missing value ({@code null} in JSON, an absent label) is printed as. */
  static final String NONE = "-";

  private final List<String> headers = new ArrayList<>();
  private final List<Boolean> rightAligned = new ArrayList<>();
  private final List<List<String>> rows = new ArrayList<>();

  TextTable column(String header, boolean numeric) {
    headers.add(header);
    rightAligned.add(numeric);
    return this;
  }

  TextTable row(List<String> cells) {
    if (cells.size() != headers.size()) {
      throw new IllegalArgumentException(
          "a row of " + cells.size() + " cells in a table of " + headers.size() + " columns");
    }
    rows.add(List.copyOf(cells));
    return this;
  }

  TextTable row(String... cells) {
    return row(List.of(cells));
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintWriter out) {
    int[] widths = new int[headers.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = headers.get(c).length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    printLine(out, headers, widths);
    for (List<String> row : rows) {
      printLine(out, row, widths);
    }
    out.flush();
  }

  private void printLine(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      if (c > 0) {
        line.append("  ");
      }
      String cell = cells.get(c);
      String padding = " ".repeat(widths[c] - cell.length());
      if (rightAligned.get(c)) {
        line.append(padding).append(cell);
      } else {
        line.append(cell).append(padding);
      }
    }
    out.println(line.toString().stripTrailing());
  }

  /**
   * A JSON number as people read it: exact, without exponent and without trailing zeros ({@code
   * 1.20E-3} is {@code 0.0012}, {@code 1873.0} is {@code 1873}); {@code null} or absent is {@link
   * #NONE}; a string (as a server may send for NaN) as it is.
   */
  static String number(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return NONE;
    }
    if (value.isIntegralNumber()) {
      return value.bigIntegerValue().toString();
    }
    if (value.isNumber()) {
      return value.decimalValue().stripTrailingZeros().toPlainString();
    }
    return text(value);
  }

  /**
   * A JSON value as text: strings without quotes, {@code null}, absent or empty as {@link #NONE}.
   */
  static String text(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return NONE;
    }
    String text = value.isValueNode() ? value.asText() : value.toString();
    return text.isEmpty() ? NONE : text;
  }
}
