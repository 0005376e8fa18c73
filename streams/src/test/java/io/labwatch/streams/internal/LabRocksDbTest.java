package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Topics;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.DetectionTopology;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class LabRocksDbTest {

  @Test
  void anEmptyStoreDoesNotPreallocateFourMegabytesOfManifest() {
    RocksDB.loadLibrary();
    try (Options options = new Options()) {
      assertThat(options.manifestPreallocationSize()).isEqualTo(4L * 1024 * 1024);

      new LabRocksDb().setConfig("ip-state", options, Map.of());

      assertThat(options.manifestPreallocationSize()).isEqualTo(64 * 1024);
    }
  }

  @Test
  void onlyThePerAddressStoreGetsAWholeKeyFilterInItsMemtables() {
    RocksDB.loadLibrary();
    try (Options ipState = new Options();
        Options timers = new Options()) {
      new LabRocksDb().setConfig(DetectionSupplier.IP_STATE_STORE, ipState, Map.of());
      new LabRocksDb().setConfig(DetectionSupplier.TIMER_STORE, timers, Map.of());

      assertThat(ipState.memtableWholeKeyFiltering()).isTrue();
      assertThat(ipState.memtablePrefixBloomSizeRatio()).isEqualTo(0.02);
      assertThat(timers.memtableWholeKeyFiltering()).isFalse();
      assertThat(timers.memtablePrefixBloomSizeRatio()).isZero();
    }
  }

  @Test
  void theDetectionUsesItUnlessTheKafkaSectionNamesAnother() {
    Properties p =
        DetectionTopology.properties(
            DetectionConfig.defaults(),
            Topics.defaults(),
            Map.of("bootstrap.servers", "unused:9092"),
            Path.of("target", "state"));
    assertThat(p.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo(LabRocksDb.class);

    Properties own =
        DetectionTopology.properties(
            DetectionConfig.defaults(),
            Topics.defaults(),
            Map.of(
                "bootstrap.servers",
                "unused:9092",
                StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                "com.example.Tuned"),
            Path.of("target", "state"));
    assertThat(own.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo("com.example.Tuned");
  }
}
