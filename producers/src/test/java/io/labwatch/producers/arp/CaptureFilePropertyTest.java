package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.LabwatchException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** A damaged or foreign file never crashes the reader: it reads what it can, or says why not. */
class CaptureFilePropertyTest {

  @Property(tries = 1000)
  void randomBytesAreReadOrRefusedInOneLine(@ForAll @Size(max = 400) byte[] bytes) {
    assertReadsOrRefuses(bytes);
  }

  @Property(tries = 2000)
  void damagedRealCapturesAreReadOrRefusedInOneLine(@ForAll("damaged") byte[] bytes) {
    assertReadsOrRefuses(bytes);
  }

  @Provide
  Arbitrary<byte[]> damaged() {
    return Arbitraries.of("ip-conflict.pcap", "ip-conflict.pcapng", "nd-ns-na.pcap")
        .map(CaptureFilePropertyTest::fixture)
        .flatMap(
            whole ->
                Arbitraries.integers()
                    .between(0, whole.length - 1)
                    .list()
                    .ofMaxSize(4)
                    .flatMap(
                        positions ->
                            Arbitraries.integers()
                                .between(0, whole.length)
                                .map(
                                    cut -> {
                                      byte[] b = whole.clone();
                                      positions.forEach(p -> b[p] = (byte) ~b[p]);
                                      return java.util.Arrays.copyOf(b, cut);
                                    })));
  }

  private static byte[] fixture(String name) {
    try {
      return Files.readAllBytes(Path.of("src", "test", "resources", "pcap", name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertReadsOrRefuses(byte[] bytes) {
    Path file;
    try {
      file = Files.createTempFile("capture", ".pcap");
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (CaptureFile capture = CaptureFile.open(file)) {
      int packets = 0;
      while (capture.next()) {
        assertThat(capture.data()).isNotNull();
        assertThat(++packets).isLessThanOrEqualTo(bytes.length / 12 + 1);
      }
    } catch (LabwatchException e) {
      assertThat(e.getMessage())
          .startsWith("cannot read capture file " + file)
          .doesNotContain("\n");
    } finally {
      file.toFile().delete();
    }
  }
}
