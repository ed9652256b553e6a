package dev.tally.exporter.http;

import io.javalin.http.Context;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Enumeration;

/** A Javalin request as client_java's scrape handler takes it; its failures propagate. */
final class ContextExchange implements PrometheusHttpExchange {
  private final Context ctx;

  ContextExchange(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public PrometheusHttpRequest getRequest() {
    return new PrometheusHttpRequest() {
      @Override
      public String getQueryString() {
        return ctx.queryString();
      }

      @Override
      public Enumeration<String> getHeaders(String name) {
        return ctx.req().getHeaders(name);
      }

      @Override
      public String getMethod() {
        return ctx.method().name();
      }

      @Override
      public String getRequestPath() {
        return ctx.path();
      }
    };
  }

  @Override
  public PrometheusHttpResponse getResponse() {
    return new PrometheusHttpResponse() {
      @Override
      public void setHeader(String name, String value) {
        // The server may compress the body; the length client_java computed would be wrong.
        if (!name.equalsIgnoreCase("Content-Length")) {
          ctx.header(name, value);
        }
      }

      @Override
      public OutputStream sendHeadersAndGetBody(int status, int contentLength) {
        ctx.status(status);
        return ctx.outputStream();
      }
    };
  }

  @Override
  public void handleException(IOException e) throws IOException {
    throw e;
  }

  @Override
  public void handleException(RuntimeException e) {
    throw e;
  }

  @Override
  public void close() {}
}
