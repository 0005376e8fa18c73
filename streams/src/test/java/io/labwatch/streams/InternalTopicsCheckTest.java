package io.labwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Topics;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class InternalTopicsCheckTest {

  private static StreamsConfig streamsConfig(Map<String, Object> client) {
    return new StreamsConfig(
        DetectionTopology.properties(
            DetectionConfig.defaults(), Topics.defaults(), client, Path.of("target", "state")));
  }

  @Test
  void shouldCheckForItsInternalTopicsOftenWhileTheOtherClientsKeepTheirBackoff() {
    // given the settings that ship
    StreamsConfig config = streamsConfig(Map.of("bootstrap.servers", "unused:9092"));

    // then the main consumer (whose partition assignor makes the internal topics) backs off
    // briefly, every other client keeps its default
    assertThat(config.getMainConsumerConfigs("g", "c", 0))
        .containsEntry(
            CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG,
            DetectionTopology.INTERNAL_TOPICS_CHECK_MS);
    assertThat(config.getRestoreConsumerConfigs("c"))
        .doesNotContainKey(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG);
    assertThat(config.getGlobalConsumerConfigs("c"))
        .doesNotContainKey(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG);
    assertThat(config.getProducerConfigs("c"))
        .doesNotContainKey(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG);
    assertThat(config.getAdminConfigs("c"))
        .doesNotContainKey(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG);
  }

  @Test
  void shouldLeaveABackoffFromTheKafkaSectionToStreamsAndEveryClient() {
    // given kafka.retry.backoff.ms: 250
    StreamsConfig config =
        streamsConfig(Map.of("bootstrap.servers", "unused:9092", "retry.backoff.ms", 250L));

    // then it is everyone's
    assertThat(config.getLong(StreamsConfig.RETRY_BACKOFF_MS_CONFIG)).isEqualTo(250L);
    assertThat(config.getMainConsumerConfigs("g", "c", 0))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250L);
    assertThat(config.getProducerConfigs("c"))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250L);
    assertThat(config.getAdminConfigs("c"))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250L);
  }
}
