package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

/**
 * Writes wait in the buffer until the commit's cache flush and reach the store below then, once
 * each; reads see them at once; a store dropped without a commit loses them (the changelog's
 * version is restored — what exactly-once asks). The end-to-end proof, a detection killed with
 * SIGKILL mid-incident whose flips still add up, is DetectionIT.
 */
class WriteBehindStoreTest {

  /** The store below, counting its writes. */
  static final class Below extends ObjectStore<String, String> {
    int writes;

    Below() {
      super("ip-state");
    }

    @Override
    public void put(String key, String value) {
      writes++;
      super.put(key, value);
    }

    @Override
    public String delete(String key) {
      writes++;
      return super.delete(key);
    }
  }

  private final Below below = new Below();
  private final WriteBehindStore<String, String> store = new WriteBehindStore<>(below);

  private static List<KeyValue<String, String>> list(KeyValueIterator<String, String> it) {
    List<KeyValue<String, String>> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    it.close();
    return out;
  }

  @Test
  void manyWritesOfOneKeyReachTheStoreBelowOnceAtTheFlush() {
    for (int i = 0; i < 1000; i++) {
      store.put("10.0.0.1", "v" + i);
    }
    assertThat(store.get("10.0.0.1")).isEqualTo("v999");
    assertThat(below.get("10.0.0.1")).isNull();
    assertThat(below.writes).isZero();

    store.flushCache();
    assertThat(below.writes).isEqualTo(1);
    assertThat(below.get("10.0.0.1")).isEqualTo("v999");
    assertThat(store.get("10.0.0.1")).isEqualTo("v999");

    store.flushCache(); // nothing new: nothing written
    assertThat(below.writes).isEqualTo(1);
  }

  @Test
  void aFullBufferIsWrittenBelowAtOnceSoTheHeapDoesNotGrowWithTheAddresses() {
    WriteBehindStore<String, String> small = new WriteBehindStore<>(below, 100);
    for (int i = 0; i < 1000; i++) {
      small.put("10.0." + i / 256 + "." + i % 256, "v");
    }
    assertThat(below.writes).isEqualTo(909); // nine full buffers of 101; 91 still buffered
    assertThat(list(small.all())).hasSize(1000);
    small.flushCache();
    assertThat(below.writes).isEqualTo(1000);
  }

  @Test
  void deletesAreBufferedToo() {
    below.put("10.0.0.1", "old");
    below.writes = 0;
    assertThat(store.delete("10.0.0.1")).isEqualTo("old");
    assertThat(store.get("10.0.0.1")).isNull();
    assertThat(below.get("10.0.0.1")).isEqualTo("old");
    assertThat(list(store.all())).isEmpty();
    store.flushCache();
    assertThat(below.get("10.0.0.1")).isNull();
    assertThat(below.writes).isEqualTo(1);
  }

  @Test
  void rangesAndScansSeeTheBufferOverTheStoreBelowInKeyOrder() {
    below.put("10.0.0.1", "a");
    below.put("10.0.0.3", "c");
    below.put("10.0.0.5", "e");
    store.put("10.0.0.2", "b");
    store.put("10.0.0.3", "C");
    store.delete("10.0.0.5");
    store.put("10.0.0.9", "z");
    assertThat(list(store.range("10.0.0.1", "10.0.0.5")))
        .containsExactly(
            KeyValue.pair("10.0.0.1", "a"),
            KeyValue.pair("10.0.0.2", "b"),
            KeyValue.pair("10.0.0.3", "C"));
    assertThat(list(store.all()))
        .extracting(kv -> kv.key)
        .containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.9");
    assertThat(store.putIfAbsent("10.0.0.2", "x")).isEqualTo("b");
    assertThat(store.putIfAbsent("10.0.0.5", "E")).isNull();
    assertThat(store.get("10.0.0.5")).isEqualTo("E");
  }

  @Test
  void aSortedBufferAnswersRangesAndReadsAsAHashedOneDoes() {
    Below sortedBelow = new Below();
    WriteBehindStore<String, String> sorted = new WriteBehindStore<>(sortedBelow, 3, true);
    for (Below b : List.of(below, sortedBelow)) {
      b.put("000000000001000|10.0.0.1", "10.0.0.1");
      b.put("000000000003000|10.0.0.3", "10.0.0.3");
    }
    for (WriteBehindStore<String, String> s : List.of(store, sorted)) {
      s.put("000000000002000|10.0.0.2", "10.0.0.2");
      s.delete("000000000003000|10.0.0.3");
      s.put("000000000004000|10.0.0.4", "10.0.0.4");
      s.put("000000000009000|10.0.0.9", "10.0.0.9");
    }
    // the sorted one (at most 3 buffered) has written its buffer below once by now
    assertThat(sortedBelow.writes).isGreaterThan(2);
    sorted.put("000000000005000|10.0.0.5", "10.0.0.5");
    store.put("000000000005000|10.0.0.5", "10.0.0.5");
    for (String[] r :
        new String[][] {
          {"000000000000000|", "000000000004000|\uffff"},
          {"000000000002000|", "000000000002000|\uffff"},
          {"000000000006000|", "000000000008000|\uffff"}
        }) {
      assertThat(list(sorted.range(r[0], r[1]))).isEqualTo(list(store.range(r[0], r[1])));
    }
    assertThat(list(sorted.range("000000000000000|", "000000000004000|\uffff")))
        .extracting(kv -> kv.value)
        .containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.4");
    assertThat(list(sorted.all())).isEqualTo(list(store.all()));
    assertThat(sorted.get("000000000003000|10.0.0.3")).isNull();
    sorted.flushCache();
    store.flushCache();
    assertThat(list(sortedBelow.all())).isEqualTo(list(below.all()));
  }

  @Test
  void aStoreDroppedWithoutACommitLosesItsBufferAndReadsWhatWasFlushed() {
    store.put("10.0.0.1", "committed");
    store.flushCache();
    store.put("10.0.0.1", "not committed");
    store.put("10.0.0.2", "not committed");
    store.clearCache(); // (what Kafka Streams does to a recycled task's stores)
    assertThat(store.get("10.0.0.1")).isEqualTo("committed");
    assertThat(store.get("10.0.0.2")).isNull();

    store.put("10.0.0.1", "not committed either");
    store.close(); // a dirty close: no flush before it
    assertThat(below.get("10.0.0.1")).isEqualTo("committed");
  }
}
