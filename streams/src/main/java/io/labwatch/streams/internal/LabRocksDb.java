package io.labwatch.streams.internal;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB sized for a lab: the detection's stores are small (an entry per address, a few per
 * sensor), but RocksDB preallocates 4 MiB for each store's MANIFEST, and a detection has four
 * stores in each of three tasks: 49 MiB of disk for an empty data directory. A MANIFEST of a store
 * this size stays within kilobytes, so 64 KiB preallocated is plenty; it grows past that if need
 * be.
 *
 * <p>The {@value DetectionSupplier#IP_STATE_STORE} store is read and written by key for every
 * observation of an address the detection does not hold as an object, and its memtables (up to
 * three of 16 MiB each, Kafka Streams' defaults) are skip lists: a lookup searches each of them in
 * turn before it reaches the files, a string comparison per level, mostly cache misses, even when
 * the key is in none of them (every new address). A whole-key Bloom filter per memtable lets a
 * lookup skip the memtables that cannot hold the key, as the files' filters already do.
 */
public final class LabRocksDb implements RocksDBConfigSetter {

  static final long MANIFEST_PREALLOCATION = 64 * 1024;

  /**
   * The memtable filter's size as a share of the write buffer: 2 % of 16 MiB is 2.7 Mbit, some 40
   * bits for each of the ~60,000 states a full memtable holds, allocated when a memtable is.
   */
  static final double MEMTABLE_FILTER_RATIO = 0.02;

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    options.setManifestPreallocationSize(MANIFEST_PREALLOCATION);
    if (DetectionSupplier.IP_STATE_STORE.equals(storeName)) {
      // (the other stores are small or read by range: a filter would only take memory)
      options.setMemtableWholeKeyFiltering(true);
      options.setMemtablePrefixBloomSizeRatio(MEMTABLE_FILTER_RATIO);
    }
  }

  @Override
  public void close(String storeName, Options options) {
    // nothing was allocated here
  }
}
