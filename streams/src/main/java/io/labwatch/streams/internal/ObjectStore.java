package io.labwatch.streams.internal;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store of plain objects in a sorted map: no serialisation, no changelog. For running
 * the detection over a capture in one process, where nothing needs to survive the run. (Not final:
 * a test makes one that fails.)
 */
public class ObjectStore<K extends Comparable<K>, V> implements KeyValueStore<K, V> {

  private final String name;
  private final NavigableMap<K, V> map = new TreeMap<>();
  private boolean open = true;

  public ObjectStore(String name) {
    this.name = name;
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
    return iterator(map.subMap(from, true, to, true));
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
    // a copy: callers delete while iterating, as they may with Kafka's stores
    return new EntryIterator<>(new TreeMap<>(view).entrySet().iterator());
  }
}
