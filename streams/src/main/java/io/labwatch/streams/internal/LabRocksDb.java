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
 */
public final class LabRocksDb implements RocksDBConfigSetter {

  static final long MANIFEST_PREALLOCATION = 64 * 1024;

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    options.setManifestPreallocationSize(MANIFEST_PREALLOCATION);
  }

  @Override
  public void close(String storeName, Options options) {
    // nothing was allocated here
  }
}
