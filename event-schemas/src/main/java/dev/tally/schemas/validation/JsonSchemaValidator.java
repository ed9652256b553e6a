package dev.tally.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Validates a record value against the published JSON Schemas ({@value #EVENT_SCHEMA_ID}) and
 * reports the result with the same {@link ReasonCode}s as {@link EventParser}.
 *
 * <p>This is the reference check for producers' CI and for tests that keep the schemas and the
 * parser in agreement; Tally itself runs {@link EventParser} on its input. The schemas are loaded
 * from this library's classpath, never from the network.
 *
 * <p>Checks a JSON Schema cannot make are left to {@link EventParser}: the event size ({@code
 * event_too_large}), timestamps in the future ({@code timestamp_in_future}), calendar validity of
 * RFC 3339 strings and the exact instant of 2000-01-01 with an offset, and NaN/Infinity tokens,
 * which are not JSON and so are reported here as {@code not_json}. The schemas encode the default
 * {@link ValidationLimits}.
 *
 * <pre>{@code
 * List<Violation> violations = JsonSchemaValidator.create().validate(jsonBytes);
 * }</pre>
 */
public final class JsonSchemaValidator {

  /** The {@code $id} of the schema that every event satisfies. */
  public static final String EVENT_SCHEMA_ID = "https://tally.dev/schemas/v1/event.schema.json";

  /** Where schemas with an {@code $id} under {@value #SCHEMA_ID_PREFIX} live on the classpath. */
  public static final String SCHEMA_ID_PREFIX = "https://tally.dev/schemas/v1/";

  private static final String CLASSPATH_PREFIX = "classpath:schemas/";

  private final JsonSchema schema;

  private JsonSchemaValidator(JsonSchema schema) {
    this.schema = schema;
  }

  /** Loads {@value #EVENT_SCHEMA_ID} and everything it references from the classpath. */
  public static JsonSchemaValidator create() {
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER)
            // Messages in one language wherever Tally runs.
            .locale(Locale.ROOT)
            .build();
    JsonSchema schema = factory().getSchema(SchemaLocation.of(EVENT_SCHEMA_ID), config);
    schema.initializeValidators();
    return new JsonSchemaValidator(schema);
  }

  /** A 2020-12 factory that resolves Tally's {@code $id}s on the classpath and nothing else. */
  static JsonSchemaFactory factory() {
    return JsonSchemaFactory.getInstance(
        SpecVersion.VersionFlag.V202012,
        builder ->
            builder
                .schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_ID_PREFIX, CLASSPATH_PREFIX))
                // Anything not mapped to the classpath would be fetched: refuse instead.
                .schemaLoaders(
                    loaders ->
                        loaders.add(
                            new AllowSchemaLoader(
                                iri -> iri.toString().startsWith(CLASSPATH_PREFIX)))));
  }

  /**
   * Validates one record value, read as standard JSON.
   *
   * @return every violation, empty when the value satisfies the schemas
   */
  public List<Violation> validate(byte[] bytes) {
    Violations violations = new Violations();
    Optional<JsonNode> tree = JsonInput.read(JsonInput.STANDARD, bytes, violations);
    return tree.isPresent() ? validate(tree.get()) : violations.list();
  }

  /**
   * Validates one JSON value. A tree built in memory may hold NaN or infinite numbers, which no
   * JSON text can: the schemas reject infinities as not_finite but cannot see NaN.
   *
   * @return every violation, empty when the value satisfies the schemas
   */
  public List<Violation> validate(JsonNode event) {
    Set<Violation> violations = new LinkedHashSet<>();
    for (ValidationMessage message : schema.validate(event)) {
      violations.add(toViolation(message));
    }
    return new ArrayList<>(violations);
  }

  static Violation toViolation(ValidationMessage message) {
    String keyword = message.getType();
    String path = message.getInstanceLocation().toString();
    // required and propertyNames report the object; the member they name is the culprit.
    if (("required".equals(keyword) || "propertyNames".equals(keyword))
        && message.getProperty() != null) {
      path = Violation.pointer(path, message.getProperty());
    }
    String rule = ruleName(message.getSchemaLocation());
    return new Violation(path, reason(keyword, path, rule), message.getMessage());
  }

  /**
   * Maps a schema keyword to a reason. Rules that need their own reason sit in named {@code $defs}
   * entries of common.schema.json, so the entry's name tells them apart.
   */
  static ReasonCode reason(String keyword, String path, String rule) {
    switch (keyword) {
      case "required":
        return ReasonCode.MISSING_FIELD;
      case "type":
        return path.isEmpty() ? ReasonCode.NOT_AN_OBJECT : ReasonCode.WRONG_TYPE;
      case "maxProperties":
        return ReasonCode.TOO_MANY_LABELS;
      case "propertyNames":
        return ReasonCode.INVALID_LABEL_NAME;
      case "enum":
      case "const":
        if (path.equals("/type")) {
          return ReasonCode.UNKNOWN_TYPE;
        }
        return path.equals("/schema_version")
            ? ReasonCode.UNSUPPORTED_VERSION
            : ReasonCode.INVALID_VALUE;
      case "minimum":
      case "maximum":
        if (rule.equals("finite_rules")) {
          return ReasonCode.NOT_FINITE;
        }
        if (rule.equals("duration_rules")) {
          return ReasonCode.NEGATIVE_DURATION;
        }
        return rule.equals("epoch_millis")
            ? ReasonCode.TIMESTAMP_TOO_OLD
            : ReasonCode.INVALID_VALUE;
      case "pattern":
        return rule.equals("rfc3339") ? ReasonCode.INVALID_TIMESTAMP : ReasonCode.INVALID_VALUE;
      case "not":
        if (rule.equals("reserved_label_name")) {
          return ReasonCode.RESERVED_LABEL_NAME;
        }
        return rule.equals("year_2000_or_later")
            ? ReasonCode.TIMESTAMP_TOO_OLD
            : ReasonCode.INVALID_VALUE;
      case "maxLength":
        return rule.equals("label_value")
            ? ReasonCode.LABEL_VALUE_TOO_LONG
            : ReasonCode.INVALID_VALUE;
      default:
        return ReasonCode.INVALID_VALUE;
    }
  }

  /** The name of the innermost {@code $defs} entry holding the failed keyword, or "". */
  private static String ruleName(SchemaLocation location) {
    String fragment = location.getFragment() == null ? "" : location.getFragment().toString();
    int defs = fragment.lastIndexOf("$defs/");
    if (defs < 0) {
      return "";
    }
    String rest = fragment.substring(defs + "$defs/".length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }
}
