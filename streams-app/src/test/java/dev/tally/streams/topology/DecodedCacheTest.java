package dev.tally.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DecodedCacheTest {
  @Test
  void shouldKeepTheMostRecentlyUsedKeysUpToItsCapacity() {
    DecodedCache<String, Integer> cache = new DecodedCache<>(3);
    cache.put("a", 1);
    cache.put("b", 2);
    cache.put("c", 3);
    assertThat(cache.get("a")).isEqualTo(1); // a is now the most recently used
    cache.put("d", 4); // evicts b, the least recently used
    assertThat(cache.get("b")).isNull();
    assertThat(cache.get("a")).isEqualTo(1);
    assertThat(cache.get("c")).isEqualTo(3);
    assertThat(cache.get("d")).isEqualTo(4);
    for (int i = 0; i < 1_000; i++) {
      cache.put("k" + i, i);
    }
    int held = 0;
    for (String key : new String[] {"a", "c", "d", "k996", "k997", "k998", "k999"}) {
      held += cache.get(key) == null ? 0 : 1;
    }
    assertThat(held).isEqualTo(3); // k997..k999
  }

  @Test
  void shouldForgetEverythingWhenCleared() {
    DecodedCache<String, Integer> cache = new DecodedCache<>(8);
    cache.put("a", 1);
    cache.clear();
    assertThat(cache.get("a")).isNull();
  }
}
