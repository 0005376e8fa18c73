package io.labwatch.producers.host;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.labwatch.events.HostMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** nvidia-smi's CSV as recorded from real drivers (test resources {@code nvidia-smi/}). */
class NvidiaSmiTest {

  private static final long MIB = 1024L * 1024;

  static String fixture(String name) {
    try (InputStream in = NvidiaSmiTest.class.getResourceAsStream("/nvidia-smi/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void twoGpusAreReadWithTheirUnitsAndNaFieldsAreNull() {
    List<HostMetrics.Gpu> gpus = NvidiaSmi.parse(fixture("two-gpus.csv"));

    assertThat(gpus)
        .containsExactly(
            new HostMetrics.Gpu(
                0,
                "NVIDIA RTX A6000",
                "GPU-5f3c9a4e-1d2b-4c8e-9a7f-0b1c2d3e4f50",
                0.97,
                45056 * MIB,
                49140 * MIB,
                81.0,
                287.45,
                0L),
            new HostMetrics.Gpu(
                1,
                "NVIDIA GeForce GTX 1080 Ti",
                "GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
                0.0,
                1 * MIB,
                11264 * MIB,
                34.0,
                null,
                null));
  }

  @Test
  void notSupportedFieldsAreNullAndWindowsLineEndsDoNotMatter() {
    List<HostMetrics.Gpu> gpus = NvidiaSmi.parse(fixture("not-supported-crlf.csv"));

    assertThat(gpus).hasSize(2);
    HostMetrics.Gpu mig = gpus.get(0);
    assertThat(mig.name()).isEqualTo("NVIDIA A100-SXM4-40GB");
    assertThat(mig.utilization()).as("utilisation of a MIG-mode GPU is [N/A]").isNull();
    assertThat(mig.memoryUsedBytes()).isEqualTo(20480 * MIB);
    assertThat(mig.powerW()).isEqualTo(95.12);
    assertThat(mig.eccErrorsUncorrected()).isZero();
    HostMetrics.Gpu quadro = gpus.get(1);
    assertThat(quadro.uuid()).isEqualTo("GPU-11223344-5566-7788-99aa-bbccddeeff00");
    assertThat(quadro.utilization()).isEqualTo(0.03);
    assertThat(quadro.powerW()).isNull();
    assertThat(quadro.eccErrorsUncorrected()).isNull();
  }

  @Test
  void whatADriverSaysInsteadOfGpusIsNoGpu() {
    assertThat(NvidiaSmi.parse(fixture("no-driver.txt"))).isEmpty();
    assertThat(NvidiaSmi.parse(fixture("no-devices.txt"))).isEmpty();
    assertThat(NvidiaSmi.parse("")).isEmpty();
  }

  @Test
  void aNameWithACommaKeepsTheFieldsAfterIt() {
    List<HostMetrics.Gpu> gpus =
        NvidiaSmi.parse("2, Tesla V100, PCIe, GPU-abc, 50, 100, 200, 60, 70.5, 3\n");

    assertThat(gpus)
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.index()).isEqualTo(2);
              assertThat(g.name()).isEqualTo("Tesla V100, PCIe");
              assertThat(g.uuid()).isEqualTo("GPU-abc");
              assertThat(g.utilization()).isEqualTo(0.5);
              assertThat(g.eccErrorsUncorrected()).isEqualTo(3);
            });
  }

  @Test
  void valuesOutOfTheirRangeAreNullAndBrokenLinesAreSkipped() {
    List<HostMetrics.Gpu> gpus =
        NvidiaSmi.parse(
            "0, X, GPU-1, 250, -5, 100, 40, -1.0, -3\n"
                + "x, Y, GPU-2, 1, 1, 1, 1, 1, 1\n"
                + "1, Z, GPU-3, 1, 1\n");

    assertThat(gpus)
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.utilization()).isNull();
              assertThat(g.memoryUsedBytes()).isNull();
              assertThat(g.powerW()).isNull();
              assertThat(g.eccErrorsUncorrected()).isNull();
              assertThat(g.memoryTotalBytes()).isEqualTo(100 * MIB);
            });
  }

  @Test
  void anAbsentToolIsNoGpuAndOneInfoLine() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger log = (Logger) LoggerFactory.getLogger(NvidiaSmi.class);
    log.addAppender(logs);
    try {
      NvidiaSmi smi = new NvidiaSmi("/nonexistent/labwatch-test/nvidia-smi", Duration.ofSeconds(1));

      assertThat(smi.read()).isEmpty();
      assertThat(smi.read()).isEmpty();
      assertThat(smi.read()).isEmpty();
    } finally {
      log.detachAppender(logs);
    }

    assertThat(logs.list)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.INFO);
              assertThat(e.getFormattedMessage())
                  .startsWith(
                      "host metrics: no GPU metrics (/nonexistent/labwatch-test/nvidia-smi"
                          + " cannot be run: ");
            });
  }

  @Test
  void theQueryIsTheOneTheIssueNames() {
    assertThat(new NvidiaSmi("nvidia-smi", Duration.ofSeconds(1)).commandLine())
        .containsExactly(
            "nvidia-smi",
            "--query-gpu=index,name,uuid,utilization.gpu,memory.used,memory.total,"
                + "temperature.gpu,power.draw,ecc.errors.uncorrected.volatile.total",
            "--format=csv,noheader,nounits");
  }
}
