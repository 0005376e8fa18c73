package io.labwatch.sinks;

/** What a Slack sink has done since it started: the counts /metrics shows of it. */
public interface SlackCounts {

  /** Alerts Slack took, alone or in a digest. */
  long delivered();

  /** Alerts Slack refused for good, which went to the dead-letter topic. */
  long deadLettered();

  /** Calls to Slack that failed for now (429, 5xx, timeouts) and were tried again. */
  long retries();

  /** Digest messages sent instead of one message per alert. */
  long digests();
}
