package io.labwatch.app.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.PacketClass;
import io.labwatch.events.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page itself: self-contained, and nothing in the data can break out of it. */
class ReportPageTest {

  static final Instant T = Instant.parse("2026-11-25T14:02:11Z");

  private static ReportData data(String summary, String vendor) {
    Alert a =
        Alert.firing(
            "IP_CONFLICT", "10.77.0.10", Severity.CRITICAL, summary, Evidence.NONE, Map.of(), T);
    return new ReportData(
        "IP_CONFLICT 10.77.0.10",
        a,
        T.minusSeconds(120),
        T.plusSeconds(600),
        List.of("10.77.0.10"),
        List.of(
            new ReportData.Lane(
                "10.77.0.10",
                "00:a0:de:77:00:10",
                vendor,
                3,
                T,
                T.plusSeconds(20),
                List.of("lab-sw1"),
                Map.of(PacketClass.REPLY, 3L),
                2)),
        List.of(new ReportData.Claim(T, 0, PacketClass.REPLY, "lab-sw1", false)),
        List.of(a),
        List.of(),
        List.of(),
        List.of(),
        List.of("labwatch replay --from " + T),
        0);
  }

  @Test
  void textFromTheWireCannotCloseTheScriptOrInjectMarkup() {
    String evil = "</script><script>window.pwned=1</script><img src=x onerror=alert(1)>";
    String html = ReportPage.render(data(evil, evil), T);
    // the template's own four script elements, nothing more
    Matcher m = Pattern.compile("</script>").matcher(html);
    int closes = 0;
    while (m.find()) {
      closes++;
    }
    assertThat(closes).isEqualTo(4);
    assertThat(html).doesNotContain("<img src=x").contains("&lt;img src=x onerror=alert(1)&gt;");
  }

  @Test
  void thePageFetchesNothingAndCarriesItsChartLibraryAndData() {
    String html = ReportPage.render(data("IP conflict on 10.77.0.10", "YAMAHA CORPORATION"), T);
    assertThat(html)
        .doesNotContainPattern("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//")
        .doesNotContainPattern("(?i)url\\(\\s*[\"']?(https?:)?//")
        .contains("echarts")
        .contains("id=\"report-data\"")
        .contains("\"mac\":\"00:a0:de:77:00:10\"")
        .contains("labwatch replay --from 2026-11-25T14:02:11Z");
    assertThat(html.length()).as("ECharts is inlined").isGreaterThan(900_000);
  }
}
