package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

  @Test
  void lagRowsStayInColumnsWhenATopicNameIsLong() {
    Map<String, Long> detect = new LinkedHashMap<>();
    detect.put("labwatch.arp", 0L);
    detect.put("labwatch-detect-health-by-ip-repartition", 12_345L);
    String row = StatusCommand.lagRow(List.of(detect, Map.of("labwatch.alerts", 7L)));
    List<String> rows =
        detect.entrySet().stream()
            .map(e -> String.format(java.util.Locale.ROOT, row, "detect", e.getKey(), e.getValue()))
            .toList();
    assertThat(rows.get(0)).startsWith("  detect     labwatch.arp ");
    // the counts start in the same column, one space after the longest name
    assertThat(rows.get(0).indexOf('0')).isEqualTo(rows.get(1).indexOf("12,345"));
    assertThat(rows.get(1))
        .isEqualTo("  detect     labwatch-detect-health-by-ip-repartition 12,345\n");
    // short names keep the old 30-character column
    assertThat(StatusCommand.lagRow(List.of(Map.of("labwatch.arp", 1L))))
        .isEqualTo("  %-10s %-30s %,d%n");
  }
}
