package io.labwatch.streams.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store of plain objects: no serialisation, no changelog. For running the detection
 * over a capture in one process, where nothing needs to survive the run. Iterators go in key order,
 * as Kafka's stores do, over a copy (callers delete while iterating, as they may with Kafka's
 * stores). (Not final: a test makes one that fails.)
 *
 * <p>Two kinds, which differ only in cost: {@link #ObjectStore(String) sorted} (a sorted map: for
 * stores read by range, such as the timers) and {@link #hashed hashed} (a hash map, sorted only
 * when iterated: for stores read and written by key for every record, such as the per-IP state,
 * where a sorted map's walk over thousands of keys was a quarter of {@code labwatch analyze}'s
 * time).
 */
public class ObjectStore<K extends Comparable<K>, V> implements KeyValueStore<K, V> {

  private final String name;
  private final Map<K, V> map;
  private boolean open = true;

  /** A sorted store. */
  public ObjectStore(String name) {
    this(name, new TreeMap<>());
  }

  private ObjectStore(String name, Map<K, V> map) {
    this.name = name;
    this.map = map;
  }

  /**
   * A store in a hash map: the same contents and iteration order, cheaper by key, dearer by range.
   */
  public static <K extends Comparable<K>, V> ObjectStore<K, V> hashed(String name) {
    return new ObjectStore<K, V>(name, new HashMap<K, V>());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {}

  @Override
  public void close() {
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key"); // (as a sorted map refuses it)
    if (value == null) {
      map.remove(key);
    } else {
      map.put(key, value);
    }
  }

  @Override
  public V putIfAbsent(K key, V value) {
    V old = map.get(key);
    if (old == null) {
      put(key, value);
    }
    return old;
  }

  @Override
  public void putAll(List<KeyValue<K, V>> entries) {
    entries.forEach(e -> put(e.key, e.value));
  }

  @Override
  public V delete(K key) {
    return map.remove(key);
  }

  @Override
  public V get(K key) {
    return map.get(key);
  }

  @Override
  public KeyValueIterator<K, V> range(K from, K to) {
    if (map instanceof NavigableMap<K, V> sorted) {
      return iterator(sorted.subMap(from, true, to, true));
    }
    NavigableMap<K, V> in = new TreeMap<>();
    map.forEach(
        (k, v) -> {
          if (k.compareTo(from) >= 0 && k.compareTo(to) <= 0) {
            in.put(k, v);
          }
        });
    return iterator(in);
  }

  @Override
  public KeyValueIterator<K, V> all() {
    return iterator(map);
  }

  @Override
  public long approximateNumEntries() {
    return map.size();
  }

  private KeyValueIterator<K, V> iterator(Map<K, V> view) {
    // a copy in key order: callers delete while iterating, as they may with Kafka's stores
    List<Map.Entry<K, V>> copy = new ArrayList<>(view.size());
    view.forEach((k, v) -> copy.add(Map.entry(k, v)));
    if (!(view instanceof NavigableMap)) {
      copy.sort(Map.Entry.comparingByKey());
    }
    return new EntryIterator<>(copy.iterator());
  }
}
