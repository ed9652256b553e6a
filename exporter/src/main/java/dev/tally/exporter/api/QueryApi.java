package dev.tally.exporter.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.exporter.api.ParsedQuery.Endpoint;
import dev.tally.exporter.http.HttpErrors;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.topology.StoreNames;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * TallyExporter.builder().api(QueryApi.forStreams(streams, stores, catalog, config, tls).routes());
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
            streams,
            stores,
            config.seriesPartitions(),
            config.applicationServer().orElse(null),
            seriesStores(config));
    return new QueryApi(
        new QueryService(
            cluster, catalog, config, new PeerClient(tls, new ObjectMapper()), Clock.systemUTC()));
  }

  private static List<String> seriesStores(TallyConfig config) {
    List<String> names = new ArrayList<>(List.of(StoreNames.CUMULATIVE, StoreNames.GAUGES));
    config
        .windows()
        .forEach(
            w -> {
              names.add(StoreNames.window(w));
              names.add(StoreNames.gaugeWindow(w));
            });
    return names.stream().sorted().toList();
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
    Map<String, Handler> handlers = new LinkedHashMap<>();
    handlers.put(
        V1 + "metrics",
        ctx -> {
          noParameters(ctx);
          ctx.json(service.metrics());
        });
    handlers.put(V1 + "series", ctx -> answer(ctx, Endpoint.SERIES));
    handlers.put(V1 + "totals", ctx -> answer(ctx, Endpoint.TOTALS));
    handlers.put(V1 + "query", ctx -> answer(ctx, Endpoint.QUERY));
    handlers.put(
        V1 + "instances",
        ctx -> {
          noParameters(ctx);
          ctx.json(service.instances(ctx.header("Authorization")));
        });
    handlers.put(
        V1 + "openapi.json",
        ctx -> {
          noParameters(ctx);
          ctx.contentType("application/json").result(openApi);
        });
    handlers.put(V1 + "internal/series", ctx -> internal(ctx, Endpoint.SERIES));
    handlers.put(V1 + "internal/totals", ctx -> internal(ctx, Endpoint.TOTALS));
    handlers.put(V1 + "internal/query", ctx -> internal(ctx, Endpoint.QUERY));
    handlers.put(V1 + "internal/state", ctx -> ctx.json(service.state()));
    return routes ->
        handlers.forEach(
            (path, handler) -> {
              // HEAD answers as GET would, without the body (the server drops it).
              routes.get(path, handler);
              routes.head(path, handler);
              for (HandlerType method : HttpErrors.OTHER_METHODS) {
                routes.addHttpHandler(method, path, HttpErrors::notAllowed);
              }
            });
  }

  private void answer(Context ctx, Endpoint endpoint) {
    ctx.json(service.answer(endpoint, parameters(ctx), ctx.header("Authorization")));
  }

  private void internal(Context ctx, Endpoint endpoint) {
    ctx.json(service.internal(endpoint, parameters(ctx)));
  }

  /** For endpoints without parameters: any is a 400 (a typo must not pass unnoticed). */
  private static void noParameters(Context ctx) {
    Map<String, List<String>> params = parameters(ctx);
    if (!params.isEmpty()) {
      String name = params.keySet().iterator().next();
      throw QueryException.badParameter(
          name, "unknown parameter '" + name + "'; " + ctx.path() + " takes none");
    }
  }

  /**
   * The query string's parameters in order, decoded strictly: a malformed percent-escape is a 400
   * rather than a parameter silently dropped (which would widen a filtered answer).
   */
  static Map<String, List<String>> parameters(Context ctx) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    String raw = ctx.queryString();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return params;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw QueryException.badParameter(
          null, "malformed query string: '" + text + "' is not percent-encoded correctly");
    }
  }
}
