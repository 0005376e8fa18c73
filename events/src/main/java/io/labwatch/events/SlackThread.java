package io.labwatch.events;

/**
 * Where an incident's Slack message is, so that updates edit it and reply in its thread, across
 * restarts of the Slack sink. Kept on the compacted {@code slack-threads} topic, key: the incident
 * id.
 *
 * @param v schema major version
 * @param channel the channel id Slack answered with
 * @param ts the message's timestamp id
 */
public record SlackThread(int v, String channel, String ts) {

  private static final String TYPE = "SlackThread";

  public SlackThread {
    Schema.checkVersion(v, TYPE);
    Schema.requiredText(channel, TYPE, "channel");
    Schema.requiredText(ts, TYPE, "ts");
  }

  public SlackThread(String channel, String ts) {
    this(Schema.V1, channel, ts);
  }
}
