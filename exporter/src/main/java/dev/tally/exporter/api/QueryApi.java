package dev.tally.exporter.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.exporter.api.ParsedQuery.Endpoint;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.streams.query.MetricStores;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The query API's routes on Tally's HTTP port (see docs/api.md):
 *
 * <ul>
 *   <li>{@code GET /api/v1/metrics}, {@code /series}, {@code /totals}, {@code /query}, {@code
 *       /instances}: JSON answers;
 *   <li>{@code GET /api/v1/openapi.json}: the OpenAPI 3.1 description;
 *   <li>{@code GET /api/v1/internal/{series,totals,query,state}}: what instances ask each other
 *       (the given series partitions of this instance only); not for clients.
 * </ul>
 *
 * <pre>{@code
 * TallyExporter.forApp(app).api(QueryApi.forApp(streams, stores, catalog, config, tls).routes());
 * }</pre>
 */
public final class QueryApi {
  private static final String V1 = "/api/v1/";

  private final QueryService service;
  private final byte[] openApi;

  private QueryApi(QueryService service) {
    this.service = service;
    try (InputStream in = QueryApi.class.getResourceAsStream("openapi.json")) {
      this.openApi = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("openapi.json is missing from the jar", e);
    }
  }

  /**
   * The API over a running Kafka Streams application: fans out to the instances that hold the other
   * series partitions.
   *
   * @param tls the HTTP port's TLS context (its keystore also decides which peers are trusted), or
   *     null for plain HTTP
   */
  public static QueryApi forStreams(
      KafkaStreams streams,
      LocalMetricStores stores,
      MetricCatalog catalog,
      TallyConfig config,
      SSLContext tls) {
    Cluster cluster =
        new StreamsCluster(
            streams, stores, config.seriesPartitions(), config.applicationServer().orElse(null));
    return new QueryApi(
        new QueryService(
            cluster, catalog, config, new PeerClient(tls, new ObjectMapper()), Clock.systemUTC()));
  }

  /** The API over stores that hold every series (one instance, or tests). */
  public static QueryApi forStores(
      MetricStores stores, MetricCatalog catalog, TallyConfig config, Clock clock) {
    return new QueryApi(
        new QueryService(
            Cluster.single(
                stores, config.seriesPartitions(), config.applicationServer().orElse(null)),
            catalog,
            config,
            new PeerClient(null, new ObjectMapper()),
            clock));
  }

  /** Registers the routes; errors are {@link QueryException}s the HTTP port renders as JSON. */
  public Consumer<RoutesConfig> routes() {
    return routes -> {
      routes.get(V1 + "metrics", ctx -> ctx.json(service.metrics()));
      routes.get(V1 + "series", ctx -> answer(ctx, Endpoint.SERIES));
      routes.get(V1 + "totals", ctx -> answer(ctx, Endpoint.TOTALS));
      routes.get(V1 + "query", ctx -> answer(ctx, Endpoint.QUERY));
      routes.get(V1 + "instances", ctx -> ctx.json(service.instances(ctx.header("Authorization"))));
      routes.get(V1 + "openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
      routes.get(V1 + "internal/series", ctx -> internal(ctx, Endpoint.SERIES));
      routes.get(V1 + "internal/totals", ctx -> internal(ctx, Endpoint.TOTALS));
      routes.get(V1 + "internal/query", ctx -> internal(ctx, Endpoint.QUERY));
      routes.get(V1 + "internal/state", ctx -> ctx.json(service.state()));
    };
  }

  private void answer(Context ctx, Endpoint endpoint) {
    ctx.json(service.answer(endpoint, ctx.queryParamMap(), ctx.header("Authorization")));
  }

  private void internal(Context ctx, Endpoint endpoint) {
    ctx.json(service.internal(endpoint, ctx.queryParamMap()));
  }
}
