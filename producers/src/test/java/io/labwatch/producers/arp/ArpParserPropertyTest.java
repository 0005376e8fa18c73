package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.ArpObservation;
import io.labwatch.producers.arp.PcapFixtures.Frame;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Whatever arrives on the wire, the parser answers: an observation, or a counted skip. */
class ArpParserPropertyTest {

  private static final List<Frame> REAL = PcapFixtures.all();

  @Property(tries = 5000)
  void randomBytesNeverThrowAndAreAlwaysAccountedFor(
      @ForAll @Size(max = 200) byte[] bytes, @ForAll LinkType linkType) {
    assertParsesOrCounts(bytes, linkType);
  }

  @Property(tries = 5000)
  void mutatedRealFramesNeverThrowAndAreAlwaysAccountedFor(@ForAll("mutatedFrames") byte[] bytes) {
    assertParsesOrCounts(bytes, LinkType.ETHERNET);
  }

  @Provide
  Arbitrary<byte[]> mutatedFrames() {
    return Arbitraries.of(REAL)
        .flatMap(
            frame ->
                Arbitraries.integers()
                    .between(0, frame.bytes().length - 1)
                    .list()
                    .ofMaxSize(6)
                    .flatMap(
                        positions ->
                            Arbitraries.integers()
                                .between(0, frame.bytes().length)
                                .map(
                                    cut -> {
                                      byte[] b = frame.bytes().clone();
                                      for (int p : positions) {
                                        b[p] = (byte) (b[p] ^ (0x5A + p));
                                      }
                                      return java.util.Arrays.copyOf(b, cut);
                                    })));
  }

  private static void assertParsesOrCounts(byte[] bytes, LinkType linkType) {
    ParseStats stats = new ParseStats();
    ArpParser parser = new ArpParser("s", "eth0", linkType, stats);
    ArpObservation obs = parser.parse(bytes, bytes.length, Instant.EPOCH);
    assertThat(stats.parsedCount() + stats.skippedCount()).isEqualTo(1);
    assertThat(obs == null).isEqualTo(stats.skippedCount() == 1);
    assertThat(stats.skippedCount(SkipReason.MALFORMED)).as("a parser bug, not bad input").isZero();
  }
}
