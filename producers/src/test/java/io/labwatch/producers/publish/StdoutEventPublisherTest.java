package io.labwatch.producers.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.IpAddress;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.SensorEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StdoutEventPublisherTest {

  @Test
  void aProbeResultIsPrintedAsTheJsonLineItWouldBePublishedAs() {
    ProbeResult refused =
        ProbeResult.failed(
            Instant.parse("2026-11-25T14:02:11Z"),
            "lab-ws1",
            "tcp://10.77.0.10:22",
            ProbeResult.Kind.TCP,
            IpAddress.of("10.77.0.10"),
            22,
            180,
            ProbeResult.ErrorClass.REFUSED,
            "Connection refused",
            MacAddress.of("00:a0:de:0a:00:10"));
    StringWriter out = new StringWriter();

    try (StdoutEventPublisher publisher = new StdoutEventPublisher(new PrintWriter(out))) {
      publisher.probeResult(refused);
    }

    assertThat(out.toString().lines().toList())
        .singleElement()
        .satisfies(
            line ->
                assertThat(
                        JsonSerde.of(SensorEvent.class)
                            .deserialize("t", line.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(refused));
  }
}
