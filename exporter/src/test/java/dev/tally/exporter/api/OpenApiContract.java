package dev.tally.exporter.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tally's OpenAPI document as a contract: checks that an answer's body satisfies the schema the
 * document gives for its path and status (JSON Schema 2020-12, as OpenAPI 3.1 uses), and records
 * which (path, status) pairs were checked so a test can require all of them.
 */
final class OpenApiContract {
  private final ObjectMapper json = new ObjectMapper();
  private final JsonNode document;
  private final JsonSchemaFactory factory =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private final Set<String> checked = new HashSet<>();

  OpenApiContract(JsonNode document) {
    this.document = document;
  }

  /** The document as shipped in the jar. */
  static OpenApiContract shipped() throws IOException {
    try (InputStream in = QueryService.class.getResourceAsStream("openapi.json")) {
      return new OpenApiContract(new ObjectMapper().readTree(in));
    }
  }

  /**
   * @throws AssertionError when the document has no response {@code status} for {@code path}, or
   *     the body breaks its schema
   */
  void check(String path, int status, byte[] body) throws IOException {
    JsonNode response =
        document
            .path("paths")
            .path(path)
            .path("get")
            .path("responses")
            .path(Integer.toString(status));
    if (response.isMissingNode()) {
      throw new AssertionError("openapi.json documents no " + status + " answer for " + path);
    }
    if (response.has("$ref")) {
      String ref = response.get("$ref").asText();
      response = document.at(ref.substring(1));
    }
    JsonNode schemaNode = response.path("content").path("application/json").path("schema");
    ObjectNode wrapper = json.createObjectNode();
    wrapper.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    wrapper.setAll((ObjectNode) schemaNode.deepCopy());
    wrapper.set("components", document.get("components"));
    JsonSchema schema = factory.getSchema(wrapper);
    Set<ValidationMessage> errors = schema.validate(json.readTree(body));
    if (!errors.isEmpty()) {
      throw new AssertionError(
          path + " " + status + " breaks openapi.json: " + errors + "\nbody: " + new String(body));
    }
    checked.add(path + " " + status);
  }

  /** Every (path, status) the document lists, as {@code "/api/v1/query 400"}. */
  Set<String> documented() {
    Set<String> all = new TreeSet<>();
    document
        .path("paths")
        .fields()
        .forEachRemaining(
            p ->
                p.getValue()
                    .path("get")
                    .path("responses")
                    .fieldNames()
                    .forEachRemaining(status -> all.add(p.getKey() + " " + status)));
    return all;
  }

  Set<String> checked() {
    return new TreeSet<>(checked);
  }
}
