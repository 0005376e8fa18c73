package io.labwatch.sinks.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsConfigTest {

  @Test
  void listenAddressesAsPeopleWriteThem() {
    assertThat(MetricsConfig.listen("0.0.0.0:9464", null))
        .isEqualTo(new MetricsConfig("0.0.0.0", 9464, Duration.ofSeconds(15)));
    assertThat(MetricsConfig.listen(":9464", null).host()).isEqualTo("0.0.0.0");
    assertThat(MetricsConfig.listen("[::1]:9464", null).host()).isEqualTo("::1");
    assertThat(MetricsConfig.listen("[::1]:9464", null).address()).isEqualTo("[::1]:9464");
    assertThat(MetricsConfig.listen("127.0.0.1:0", null).port()).isZero();
  }

  @Test
  void nonsenseIsRefusedWithAnExample() {
    assertThatThrownBy(() -> MetricsConfig.listen("9464", null))
        .hasMessage(
            "listen: expected HOST:PORT such as 0.0.0.0:9464 or 127.0.0.1:9464, got '9464'");
    assertThatThrownBy(() -> MetricsConfig.listen("host:http", null))
        .hasMessage("listen: the port in 'host:http' is not a number (e.g. 0.0.0.0:9464)");
    assertThatThrownBy(() -> MetricsConfig.listen("host:70000", null))
        .hasMessage("listen: port must be 0..65535, got 70000");
  }
}
