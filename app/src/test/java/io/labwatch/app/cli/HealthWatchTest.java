package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.sinks.Health;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthWatchTest {

  final AtomicReference<String> slack = new AtomicReference<>();
  final AtomicLong now = new AtomicLong();
  final StringWriter console = new StringWriter();
  final HealthWatch watch =
      new HealthWatch(
          new Health().register("Slack sink", slack::get), new PrintWriter(console), now::get);

  @Test
  void aSlackOutageIsSaidOnceThenSummedUpWhenItEnds() {
    watch.check();
    for (int s = 60; s <= 180; s += 2) { // checked every 2 s, the problem counts on
      slack.set("Slack has taken no message for " + s + " s (HTTP 503); alerts wait in Kafka");
      now.set(TimeUnit.SECONDS.toNanos(s));
      watch.check();
    }
    slack.set(null);
    now.set(TimeUnit.SECONDS.toNanos(182));
    watch.check();

    assertThat(console.toString().lines())
        .containsExactly(
            "labwatch: Slack sink: Slack has taken no message for 60 s (HTTP 503); alerts wait in"
                + " Kafka — the other parts keep running (see /-/healthy)",
            "labwatch: Slack sink works again (after 122 s)");
  }

  @Test
  void aDifferentProblemIsSaidAgain() {
    slack.set("Slack has taken no message for 60 s (HTTP 503); alerts wait in Kafka");
    watch.check();
    slack.set("Slack refuses every message (invalid_token): check the webhook");
    watch.check();

    assertThat(console.toString().lines()).hasSize(2);
  }
}
