package io.labwatch.sinks.slack;

import java.time.Duration;

/** What Slack said to one request. */
public sealed interface Delivery {

  /** Accepted; in bot mode with the message's channel and timestamp id. */
  record Ok(String channel, String ts) implements Delivery {}

  /** Rate limited: try again after this long (HTTP 429, Retry-After). */
  record RetryAfter(Duration after) implements Delivery {}

  /** Slack or the network failed for now (5xx, timeout, connection): try again later. */
  record Transient(String reason) implements Delivery {}

  /** Slack refused the message and always will (invalid_payload, channel_not_found, ...). */
  record Permanent(String error) implements Delivery {}
}
