package io.labwatch.streams.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store that holds the values written since the last commit as objects and writes each
 * of them to the store below (serialised, changelogged; RocksDB, or memory for the small ones)
 * once, when the task commits.
 *
 * <p>The ip-state store is written for every packet; Kafka Streams' record cache already wrote it
 * to RocksDB and its changelog once per commit, but took the value serialised at every write and
 * kept it in a sorted map of byte keys: a third of the detection's time per record (BENCHMARKS.md,
 * detection II). Here a write is a hash-map entry; the value is serialised when it is flushed.
 *
 * <p>Exactly-once holds as with Kafka's cache: {@link #flushCache()} is what Kafka Streams calls on
 * cached stores before it flushes the producer and commits the transaction (StreamTask.flush), so
 * every buffered write goes into the transaction that commits the input it came from. A task closed
 * dirty (a crash, an aborted transaction, a lost task) drops the buffer with the store, and its
 * state is restored from the changelog. Values are held by reference: a caller that changes a value
 * after writing it must write it again (the detection does, after every record), and one whose
 * record failed half-way leaves its task to be closed dirty, as any processing failure does.
 *
 * <p>Reads see the buffer first. Interactive queries may read from other threads, so the buffer is
 * guarded by this store's monitor; {@link #range} and {@link #all} copy what they return.
 */
final class WriteBehindStore<K extends Comparable<K>, V>
    extends WrappedStateStore<KeyValueStore<K, V>, K, V> implements KeyValueStore<K, V> {

  /**
   * At most this many keys are buffered; one more writes the buffer below at once (inside the open
   * transaction, as Kafka's cache does when it evicts), so that the heap does not grow with the
   * number of addresses a backlog touches between two commits.
   */
  static final int MAX_BUFFERED = 8192;

  /**
   * Buffered writes since the last flush; a null value is a buffered delete. Sorted for a store
   * that is read by ranges (the timers, scanned for due keys every second of stream time: filtering
   * a hash map of up to {@link #MAX_BUFFERED} keys on every scan was 3–6 % of the stream thread),
   * hashed for one read by key.
   */
  private final Map<K, V> buffer;

  private final int maxBuffered;

  WriteBehindStore(KeyValueStore<K, V> below) {
    this(below, MAX_BUFFERED, false);
  }

  WriteBehindStore(KeyValueStore<K, V> below, int maxBuffered) {
    this(below, maxBuffered, false);
  }

  /**
   * @param sorted whether the buffer is kept sorted by key, for a store read mostly by {@link
   *     #range}
   */
  WriteBehindStore(KeyValueStore<K, V> below, int maxBuffered, boolean sorted) {
    super(below);
    this.maxBuffered = maxBuffered;
    this.buffer = sorted ? new TreeMap<>() : new HashMap<>();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    synchronized (this) {
      buffer.clear();
    }
    super.init(context, root);
  }

  @Override
  public synchronized void put(K key, V value) {
    buffer.put(key, value);
    if (buffer.size() > maxBuffered) {
      writeBuffer();
    }
  }

  @Override
  public synchronized V putIfAbsent(K key, V value) {
    V old = get(key);
    if (old == null) {
      put(key, value);
    }
    return old;
  }

  @Override
  public synchronized void putAll(List<KeyValue<K, V>> entries) {
    entries.forEach(e -> put(e.key, e.value));
  }

  @Override
  public synchronized V delete(K key) {
    V old = get(key);
    put(key, null);
    return old;
  }

  @Override
  public synchronized V get(K key) {
    if (buffer.containsKey(key)) {
      return buffer.get(key);
    }
    return wrapped().get(key);
  }

  @Override
  public synchronized KeyValueIterator<K, V> range(K from, K to) {
    NavigableMap<K, V> merged = new TreeMap<>();
    try (KeyValueIterator<K, V> below = wrapped().range(from, to)) {
      below.forEachRemaining(kv -> merged.put(kv.key, kv.value));
    }
    if (buffer instanceof NavigableMap<K, V> sorted) {
      if (from.compareTo(to) <= 0) {
        merged.putAll(sorted.subMap(from, true, to, true));
      }
    } else {
      buffer.forEach(
          (k, v) -> {
            if (k.compareTo(from) >= 0 && k.compareTo(to) <= 0) {
              merged.put(k, v);
            }
          });
    }
    return iterator(merged);
  }

  @Override
  public synchronized KeyValueIterator<K, V> all() {
    NavigableMap<K, V> merged = new TreeMap<>();
    try (KeyValueIterator<K, V> below = wrapped().all()) {
      below.forEachRemaining(kv -> merged.put(kv.key, kv.value));
    }
    merged.putAll(buffer);
    return iterator(merged);
  }

  @Override
  public synchronized long approximateNumEntries() {
    return wrapped().approximateNumEntries() + buffer.size();
  }

  /** Writes the buffer to the store below; Kafka Streams calls it before every commit. */
  @Override
  public synchronized void flushCache() {
    writeBuffer();
    super.flushCache();
  }

  private void writeBuffer() {
    for (Map.Entry<K, V> e : buffer.entrySet()) {
      if (e.getValue() == null) {
        wrapped().delete(e.getKey());
      } else {
        wrapped().put(e.getKey(), e.getValue());
      }
    }
    buffer.clear();
  }

  @Override
  public synchronized void clearCache() {
    buffer.clear();
    super.clearCache();
  }

  @Override
  public synchronized void close() {
    buffer.clear(); // (a clean close comes after the commit that flushed it)
    super.close();
  }

  /** Iterates over a copy, leaving out deletes. */
  private static <K, V> KeyValueIterator<K, V> iterator(NavigableMap<K, V> entries) {
    entries.values().removeIf(v -> v == null);
    return new EntryIterator<>(entries.entrySet().iterator());
  }

  /** Builds a {@link WriteBehindStore} over what {@code below} builds (which should not cache). */
  static <K extends Comparable<K>, V> StoreBuilder<KeyValueStore<K, V>> builder(
      StoreBuilder<KeyValueStore<K, V>> below) {
    return builder(below, false);
  }

  /**
   * Builds a {@link WriteBehindStore} over what {@code below} builds (which should not cache), its
   * buffer sorted when the store is read mostly by ranges.
   */
  static <K extends Comparable<K>, V> StoreBuilder<KeyValueStore<K, V>> builder(
      StoreBuilder<KeyValueStore<K, V>> below, boolean sorted) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
        throw new UnsupportedOperationException("a write-behind store caches on its own");
      }

      @Override
      public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
        below.withCachingDisabled();
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
        below.withLoggingEnabled(config);
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
        below.withLoggingDisabled();
        return this;
      }

      @Override
      public KeyValueStore<K, V> build() {
        return new WriteBehindStore<>(below.build(), MAX_BUFFERED, sorted);
      }

      @Override
      public Map<String, String> logConfig() {
        return below.logConfig();
      }

      @Override
      public boolean loggingEnabled() {
        return below.loggingEnabled();
      }

      @Override
      public String name() {
        return below.name();
      }
    };
  }
}
