package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress bar as a terminal would receive it, on a clock the test moves. */
class ProgressBarTest {

  final AtomicLong now = new AtomicLong(5_000_000_000L);
  final StringWriter written = new StringWriter();

  ProgressBar bar(boolean terminal) {
    return new ProgressBar(
        new PrintWriter(written), "analysing big.pcap", "packets", 1_000_000, terminal, now::get);
  }

  @Test
  void shortWorkSaysNothingAndLongWorkRedrawsOneLineInPlace() {
    ProgressBar bar = bar(true);
    now.addAndGet(500_000_000L);
    bar.at(4096, 100_000);
    assertThat(written.toString()).as("under a second").isEmpty();

    now.addAndGet(1_500_000_000L); // 2 s in
    bar.at(500_000, 500_000);
    assertThat(written.toString())
        .isEqualTo(
            "\ranalysing big.pcap [############            ]  50% 500,000 packets, 250,000/s");

    now.addAndGet(50_000_000L); // too soon to redraw
    bar.at(510_000, 510_000);
    assertThat(written.toString()).doesNotContain("510,000");

    now.addAndGet(950_000_000L); // 3 s in, the whole file
    bar.at(1_000_000, 1_000_000);
    assertThat(written.toString())
        .endsWith(
            "\ranalysing big.pcap [########################] 100% 1,000,000 packets, 333,333/s");
  }

  @Test
  void doneWipesTheBarSoThatWhatFollowsStartsOnACleanLine() {
    ProgressBar bar = bar(true);
    now.addAndGet(2_000_000_000L);
    bar.at(10, 10);
    String drawn = written.toString();
    bar.done();
    int length = drawn.length() - 1; // without its \r
    assertThat(written.toString()).isEqualTo(drawn + "\r" + " ".repeat(length) + "\r");
    bar.done(); // nothing more to wipe
    assertThat(written.toString()).hasSize(drawn.length() + length + 2);
  }

  @Test
  void notATerminalGetsNoCarriageReturnsAtAll() {
    ProgressBar bar = bar(false);
    now.addAndGet(10_000_000_000L);
    bar.at(1_000_000, 1_000_000);
    bar.done();
    assertThat(written.toString()).isEmpty();
  }

  @Test
  void anUnknownSizeShowsThePacketsAndTheRateOnly() {
    ProgressBar bar =
        new ProgressBar(
            new PrintWriter(written), "analysing x.pcap", "packets", -1, true, now::get);
    assertThat(bar.line(2_000, 10, 1_000_000_000L))
        .isEqualTo("analysing x.pcap 2,000 packets, 2,000/s");
  }

  @Test
  void testsAndCiRunWithoutATerminalOnStandardError() {
    // Surefire captures the test JVM's stderr: the real check must say "not a terminal" here,
    // which is what a labwatch writing to a log file or a pipe sees
    assertThat(Terminal.stderr()).isFalse();
  }
}
