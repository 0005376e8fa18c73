package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Topics;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code labwatch sensor host --once} against a real broker: the sample lands in {@code
 * labwatch.host} keyed by the host name with the sample time as its timestamp, and {@code labwatch
 * tail host} shows it.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SensorHostPublishIT {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void onceCreatesTheTopicPublishesOneSampleUnderTheHostNameAndTailShowsIt(TestKafka kafka)
      throws Exception {
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Cli cli = new Cli().env("LABWATCH_TOPICS_PREFIX", prefix);

    Cli.Result sampled =
        cli.run(
            "sensor", "host", "--once", "--host-name", "yamato", "-b", kafka.bootstrapServers());

    assertThat(sampled.exitCode()).as(sampled.err()).isZero();
    assertThat(sampled.errLines()).last().asString().startsWith("labwatch sensor host: yamato: ");

    Cli.Result tail =
        cli.run(
            "tail", "host", "--from-beginning", "--exit-at-end", "-b", kafka.bootstrapServers());

    assertThat(tail.exitCode()).as(tail.err()).isZero();
    List<String> lines = tail.outLines();
    assertThat(lines).hasSize(1);
    JsonNode record = json.readTree(lines.get(0));
    assertThat(record.get("topic").asText()).isEqualTo(Topics.withPrefix(prefix).host().name());
    assertThat(record.get("key").asText()).isEqualTo("yamato");
    JsonNode value = record.get("value");
    assertThat(value.get("type").asText()).isEqualTo("host");
    assertThat(value.get("sensorId").asText()).isEqualTo("yamato");
    assertThat(value.get("cpu").get("total").get("busy").isNumber()).isTrue();
    // the record's timestamp is the sample time (Kafka keeps milliseconds)
    assertThat(Instant.parse(record.get("timestamp").asText()))
        .isEqualTo(Instant.parse(value.get("eventTime").asText()).truncatedTo(ChronoUnit.MILLIS));
  }
}
