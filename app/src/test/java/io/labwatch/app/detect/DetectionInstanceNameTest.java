package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.producers.arp.Interfaces;
import org.junit.jupiter.api.Test;

class DetectionInstanceNameTest {

  @Test
  void anInstanceIsNamedForItsHostAndProcessAndAnotherInTheSameJvmIsNumbered() {
    String prefix =
        "labwatch-detect-" + Interfaces.hostName() + "-" + ProcessHandle.current().pid();
    String first = Detection.instanceName();
    String second = Detection.instanceName();
    assertThat(first).startsWith(prefix);
    assertThat(second).startsWith(prefix + "-").isNotEqualTo(first);
    // (status cuts Kafka Streams' consumer client ids at -StreamThread-: the name must not hold it)
    assertThat(first).doesNotContain("-StreamThread-");
  }
}
