package dev.tally.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expectations from docs/metrics.md ("Routes"), written out by hand. */
class RouteTemplateTest {

  @Test
  void shouldReplaceIdSegmentsOfARawPathAndDropTheQuery() {
    assertThat(RouteTemplate.apply("/api/users/42/orders?page=2"))
        .isEqualTo("/api/users/:id/orders");
    assertThat(RouteTemplate.apply("/files/3f2b1c9e-8a3d-4c8e-9f5e-3b1d2a7c9e10"))
        .isEqualTo("/files/:id");
    assertThat(RouteTemplate.apply("/blobs/9f1c2b3a4d5e6f708192a3b4c5d6e7f8"))
        .isEqualTo("/blobs/:id");
    // Short hex words and names stay: "beef" and "v1" are not ids.
    assertThat(RouteTemplate.apply("/beef/v1/health")).isEqualTo("/beef/v1/health");
  }

  @Test
  void shouldKeepARouteSentAsATemplateAsItWasSent() {
    // The API version 2 is part of the route, not an id: the producer sent a template.
    assertThat(RouteTemplate.apply("/rest/api/2/issue/{issueIdOrKey}"))
        .isEqualTo("/rest/api/2/issue/{issueIdOrKey}");
    assertThat(RouteTemplate.apply("/v2/users/:userId/devices/7"))
        .isEqualTo("/v2/users/:userId/devices/7");
    assertThat(RouteTemplate.apply("/v1/users/{id}?x=1")).isEqualTo("/v1/users/{id}");
    // The same route sent raw: every number is taken for an id.
    assertThat(RouteTemplate.apply("/rest/api/2/issue/10023")).isEqualTo("/rest/api/:id/issue/:id");
  }

  @Test
  void shouldUseTheIdPatternACatalogEntryGives() {
    // 24-hex object ids only; numbers stay (they are page numbers in this API).
    RouteTemplate mongo = RouteTemplate.ids("[0-9a-f]{24}");
    assertThat(mongo.template("/docs/65a1f0c2e4b0a1b2c3d4e5f6/page/3"))
        .isEqualTo("/docs/:id/page/3");
  }
}
