package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

/**
 * The hashed store is the sorted one at another cost: the same contents, iterated in the same key
 * order, whatever order the keys were written in.
 */
class ObjectStoreTest {

  private static final List<String> KEYS =
      List.of("10.0.0.9", "10.0.0.10", "10.0.0.1", "192.168.1.1", "10.0.0.2", "0.0.0.0");

  private static List<String> keys(KeyValueIterator<String, Integer> it) {
    List<String> out = new ArrayList<>();
    try (it) {
      while (it.hasNext()) {
        out.add(it.next().key);
      }
    }
    return out;
  }

  private static ObjectStore<String, Integer> filled(ObjectStore<String, Integer> store) {
    for (int i = 0; i < KEYS.size(); i++) {
      store.put(KEYS.get(i), i);
    }
    return store;
  }

  @Test
  void shouldIterateAHashedStoreInKeyOrderAsTheSortedOneDoes() {
    ObjectStore<String, Integer> sorted = filled(new ObjectStore<>("s"));
    ObjectStore<String, Integer> hashed = filled(ObjectStore.hashed("h"));

    assertThat(keys(hashed.all()))
        .containsExactlyElementsOf(keys(sorted.all()))
        .containsExactly("0.0.0.0", "10.0.0.1", "10.0.0.10", "10.0.0.2", "10.0.0.9", "192.168.1.1");
    assertThat(keys(hashed.range("10.0.0.10", "10.0.0.9")))
        .containsExactlyElementsOf(keys(sorted.range("10.0.0.10", "10.0.0.9")))
        .containsExactly("10.0.0.10", "10.0.0.2", "10.0.0.9");
  }

  @Test
  void shouldLetACallerDeleteWhileIterating() {
    ObjectStore<String, Integer> hashed = filled(ObjectStore.hashed("h"));

    try (KeyValueIterator<String, Integer> it = hashed.all()) {
      while (it.hasNext()) {
        KeyValue<String, Integer> kv = it.next();
        hashed.delete(kv.key);
      }
    }

    assertThat(hashed.approximateNumEntries()).isZero();
    assertThat(keys(hashed.all())).isEmpty();
  }

  @Test
  void shouldTreatANullValueAsADeleteAndRefuseANullKeyInEither() {
    for (ObjectStore<String, Integer> store :
        List.of(new ObjectStore<String, Integer>("s"), ObjectStore.<String, Integer>hashed("h"))) {
      store.put("a", 1);
      store.put("a", null);
      assertThat(store.get("a")).isNull();
      assertThat(store.putIfAbsent("b", 2)).isNull();
      assertThat(store.putIfAbsent("b", 3)).isEqualTo(2);
      assertThatThrownBy(() -> store.put(null, 1)).isInstanceOf(NullPointerException.class);
    }
  }
}
