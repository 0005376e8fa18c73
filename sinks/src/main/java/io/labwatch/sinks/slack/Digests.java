package io.labwatch.sinks.slack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labwatch.events.Alert;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * During a storm — more than {@code digestThreshold} alerts waiting at once — sends them as one
 * digest message per channel instead of one message each.
 */
final class Digests {

  private static final Logger log = LoggerFactory.getLogger(Digests.class);

  /** Slack's answer to the digest that carried the alert at {@code index} of the batch. */
  interface Answered {
    void answered(int index, Delivery d);
  }

  private final SlackConfig config;
  private final SlackApi api;
  private final Retry retry;
  private final String dlq;
  private final AtomicLong sent = new AtomicLong();

  Digests(SlackConfig config, SlackApi api, Retry retry, String dlq) {
    this.config = config;
    this.api = api;
    this.retry = retry;
    this.dlq = dlq;
  }

  /** Digest messages Slack took so far. */
  long sent() {
    return sent.get();
  }

  /**
   * Sends {@code batch} as one digest per channel, in the order of each channel's first alert;
   * after each digest, tells {@code answered} Slack's answer for each of its alerts.
   *
   * @throws Retry.Stopped when the sink stops while waiting for Slack
   */
  void send(List<Alert> batch, Answered answered) {
    Map<String, List<Integer>> byChannel = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Alert a = batch.get(i);
      byChannel
          .computeIfAbsent(
              config.botMode() ? config.channelFor(a.kind()) : RateLimiter.WEBHOOK,
              c -> new ArrayList<>())
          .add(i);
    }
    log.info(
        "{} alerts are waiting at once: sending them as {} digest message(s)",
        batch.size(),
        byChannel.size());
    for (Map.Entry<String, List<Integer>> e : byChannel.entrySet()) {
      ObjectNode digest = SlackMessages.digest(e.getValue().stream().map(batch::get).toList());
      String channel = e.getKey();
      Delivery d =
          retry.call(
              channel,
              () -> config.botMode() ? api.post(channel, digest, null) : api.webhook(digest));
      if (d instanceof Delivery.Permanent p) {
        log.warn(
            "Slack refused a digest of {} alerts: {}; they go to {}",
            e.getValue().size(),
            p.error(),
            dlq);
      } else {
        sent.incrementAndGet();
      }
      for (int i : e.getValue()) {
        answered.answered(i, d);
      }
    }
  }
}
