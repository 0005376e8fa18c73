package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void defaultNamesAreThoseOfTheDesign() {
    Topics topics = Topics.defaults();
    assertThat(topics.all())
        .extracting(Topic::name)
        .containsExactly(
            "labwatch.arp",
            "labwatch.alerts",
            "labwatch.dlq",
            "labwatch.inventory",
            "labwatch.slack-threads",
            "labwatch.probe-requests",
            "labwatch.snmp",
            "labwatch.host",
            "labwatch.silences");
    assertThat(topics.arp().retention()).isEqualTo(Duration.ofDays(30));
    assertThat(topics.probeRequests().partitions()).isEqualTo(1);
    assertThat(topics.probeRequests().retention()).isEqualTo(Duration.ofDays(1));
    assertThat(topics.snmp().retention()).isEqualTo(Duration.ofDays(30));
    assertThat(topics.snmp().partitions()).isEqualTo(3);
    assertThat(topics.host().retention()).isEqualTo(Duration.ofDays(30));
    assertThat(topics.host().cleanup()).isEqualTo(Topic.Cleanup.DELETE);
    assertThat(topics.find("host")).contains(topics.host());
    assertThat(topics.alerts().cleanup()).isEqualTo(Topic.Cleanup.COMPACT_DELETE);
    assertThat(topics.silences().cleanup()).isEqualTo(Topic.Cleanup.COMPACT);
    assertThat(topics.silences().configs()).containsEntry("retention.ms", "-1");
    assertThat(topics.find("silences")).contains(topics.silences());
    assertThat(topics.alerts().configs())
        .containsEntry("cleanup.policy", "compact,delete")
        .containsEntry("retention.ms", Long.toString(Duration.ofDays(365).toMillis()));
  }

  @Test
  void aPrefixRenamesEveryTopic() {
    Topics topics = Topics.withPrefix("lab2-");
    assertThat(topics.all()).extracting(Topic::name).allMatch(n -> n.startsWith("lab2-"));
    assertThat(topics.find("alerts")).contains(topics.alerts());
    assertThat(topics.find("lab2-alerts")).contains(topics.alerts());
    assertThat(topics.find("labwatch.alerts")).isEmpty();
  }

  @Test
  void anIllegalPrefixIsRefusedNamingIt() {
    assertThatThrownBy(() -> Topics.withPrefix("lab watch/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'lab watch/'");
  }
}
