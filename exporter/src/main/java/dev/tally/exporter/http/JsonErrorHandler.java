package dev.tally.exporter.http;

import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answers to requests that never reach Tally's routes (a malformed URI, an unknown HTTP
 * version, headers over the limit): Tally's {@code {"error": ...}} JSON with Jetty's reason, never
 * an HTML page or a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {
  JsonErrorHandler() {
    setShowStacks(false);
    setShowMessageInTitle(false);
  }

  /** Every method gets the JSON body: Jetty's default writes one for GET, POST and HEAD only. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    byte[] body = HttpErrors.bytes(Map.of("error", reason(code, message)));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, HttpErrors.CONTENT_TYPE);
    response.getHeaders().put(new HttpField(HttpHeader.CACHE_CONTROL, "no-store"));
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, HttpErrors.CONTENT_TYPE);
    return ByteBuffer.wrap(HttpErrors.bytes(Map.of("error", reason(status, reason))));
  }

  private static String reason(int code, String message) {
    String standard = HttpStatus.getMessage(code);
    return message == null || message.isBlank() ? standard : message;
  }
}
