package io.labwatch.streams.internal;

import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/** A store iterator over map entries (a copy the store made, so callers may write meanwhile). */
final class EntryIterator<K, V> implements KeyValueIterator<K, V> {

  private final Iterator<Map.Entry<K, V>> it;
  private Map.Entry<K, V> peeked;

  EntryIterator(Iterator<Map.Entry<K, V>> it) {
    this.it = it;
  }

  @Override
  public boolean hasNext() {
    return peeked != null || it.hasNext();
  }

  @Override
  public KeyValue<K, V> next() {
    Map.Entry<K, V> e = peeked != null ? peeked : it.next();
    peeked = null;
    return KeyValue.pair(e.getKey(), e.getValue());
  }

  @Override
  public K peekNextKey() {
    if (peeked == null) {
      peeked = it.next();
    }
    return peeked.getKey();
  }

  @Override
  public void close() {}
}
