package dev.tally.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FastGzipExchangeTest {
  @Test
  void shouldGzipOnlyForClientsThatAcceptIt() {
    assertThat(FastGzipExchange.acceptsGzip(List.of("gzip"))).isTrue();
    assertThat(FastGzipExchange.acceptsGzip(List.of("deflate, GZIP;q=0.5"))).isTrue();
    assertThat(FastGzipExchange.acceptsGzip(List.of("identity", "gzip"))).isTrue();
    assertThat(FastGzipExchange.acceptsGzip(null)).isFalse();
    assertThat(FastGzipExchange.acceptsGzip(List.of("identity"))).isFalse();
    assertThat(FastGzipExchange.acceptsGzip(List.of("gzip;q=0"))).isFalse();
    assertThat(FastGzipExchange.acceptsGzip(List.of("x-gzip"))).isFalse();
  }
}
