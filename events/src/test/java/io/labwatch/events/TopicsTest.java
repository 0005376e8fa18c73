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

  @Test
  void theAddressKeyedTopicsPartitionsAreASettingAndTheOthersStayOne() {
    Topics t =
        Topics.withPrefix("x.")
            .withRetention(java.util.Map.of("arp", Duration.ofDays(60)))
            .withPartitions(java.util.Map.of("arp", 6, "host", 12));
    assertThat(t.arp().partitions()).isEqualTo(6);
    assertThat(t.host().partitions()).isEqualTo(12);
    assertThat(t.snmp().partitions()).isEqualTo(3);
    assertThat(t.alerts().partitions()).isEqualTo(3);
    assertThat(t.inventory().partitions()).isEqualTo(1);
    // the one setting does not undo the other, in either order
    assertThat(t.arp().configs())
        .containsEntry("retention.ms", Long.toString(Duration.ofDays(60).toMillis()));
    assertThat(t.withRetention(java.util.Map.of("host", Duration.ofDays(7))).arp().partitions())
        .isEqualTo(6);
    assertThatThrownBy(() -> Topics.defaults().withPartitions(java.util.Map.of("inventory", 2)))
        .hasMessage(
            "'inventory': only these topics' partitions can be set: arp, alerts, snmp, host");
    assertThatThrownBy(() -> Topics.defaults().withPartitions(java.util.Map.of("arp", 0)))
        .hasMessage("arp: must be 1..1000 partitions, got 0");
  }
}
