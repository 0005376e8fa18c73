package io.labwatch.sinks.slack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.Silence;
import io.labwatch.events.SlackThread;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts one alert to Slack until Slack answers for good. A webhook gets a new message each time. A
 * bot edits the incident's first message to show the incident as it is now and replies in its
 * thread with what changed; the first message of an incident starts the thread.
 */
final class Poster {

  private static final Logger log = LoggerFactory.getLogger(Poster.class);

  /** Errors of chat.update that mean the incident's message is no longer there to edit. */
  private static final Set<String> GONE =
      Set.of("message_not_found", "cant_update_message", "edit_window_closed");

  private final SlackConfig config;
  private final SlackApi api;
  private final Retry retry;
  private final IncidentThreads threads;

  Poster(SlackConfig config, SlackApi api, Retry retry, IncidentThreads threads) {
    this.config = config;
    this.api = api;
    this.retry = retry;
    this.threads = threads;
  }

  /**
   * Slack's final answer to the alert: the last call's when it took several.
   *
   * @throws Retry.Stopped when the sink stops while waiting for Slack
   */
  Delivery post(Alert a) {
    return post(a, SlackMessages.message(a, config.reportLink(a.incidentId())));
  }

  /**
   * The incident announced again, as firing, because {@code ended}, the silence over it, ended.
   *
   * @throws Retry.Stopped when the sink stops while waiting for Slack
   */
  Delivery postSilenceEnded(Alert a, Silence ended) {
    return post(a, SlackMessages.silenceEnded(a, config.reportLink(a.incidentId()), ended));
  }

  private Delivery post(Alert a, ObjectNode message) {
    if (!config.botMode()) {
      return retry.call(RateLimiter.WEBHOOK, () -> api.webhook(message));
    }
    String channel = config.channelFor(a.kind());
    SlackThread root = threads.get(a.incidentId());
    if (root != null) {
      // the first message shows the incident as it is now; the thread tells what changed
      Delivery edited =
          retry.call(root.channel(), () -> api.update(root.channel(), root.ts(), message));
      if (edited instanceof Delivery.Ok) {
        return retry.call(root.channel(), () -> api.post(root.channel(), message, root.ts()));
      }
      if (!(edited instanceof Delivery.Permanent p && GONE.contains(p.error()))) {
        return edited;
      }
      // someone deleted the message (or it can no longer be edited): start a new one
      log.info(
          "the Slack message of {} is gone ({}): posting a new one", a.incidentId(), p.error());
      threads.forget(a.incidentId());
    }
    Delivery d = retry.call(channel, () -> api.post(channel, message, null));
    if (d instanceof Delivery.Ok ok
        && !a.isEvent()
        && a.state() == AlertState.FIRING
        && ok.ts() != null) {
      threads.remember(
          a.incidentId(), new SlackThread(ok.channel() == null ? channel : ok.channel(), ok.ts()));
    }
    return d;
  }
}
