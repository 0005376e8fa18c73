package io.labwatch.sinks.slack;

import io.labwatch.events.Severity;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Slack sink's settings ({@code slack.*}). Either an incoming webhook, or a bot token with a
 * channel; neither means no Slack (labwatch run prints alerts on its console instead). The webhook
 * URL and the token are secrets: never printed.
 *
 * @param webhookUrl an incoming webhook, {@code https://hooks.slack.com/services/…}
 * @param botToken a bot token ({@code xoxb-…}) with {@code chat:write}
 * @param channel the bot's channel (name or id)
 * @param channels per alert kind, another channel (bot mode)
 * @param minSeverity alerts below this are not sent
 * @param includeKinds only these kinds, when not empty
 * @param excludeKinds never these kinds
 * @param digestThreshold more alerts than this waiting at once go out as one digest message
 * @param burst messages a channel may get in a burst before the one-per-second limit applies
 * @param apiUrl Slack's Web API (for a proxy, or a test stand-in)
 * @param timeout how long to wait for Slack to answer
 * @param consumerGroup the sink's Kafka consumer group (its committed offsets)
 * @param reportUrl where people reading Slack reach {@code labwatch run}'s metrics port, e.g.
 *     {@code http://labbox.lab:9464}: each message then links to its incident's report there
 *     ({@code /incidents/ID}); null: no link
 */
public record SlackConfig(
    String webhookUrl,
    String botToken,
    String channel,
    Map<String, String> channels,
    Severity minSeverity,
    List<String> includeKinds,
    List<String> excludeKinds,
    int digestThreshold,
    int burst,
    String apiUrl,
    Duration timeout,
    String consumerGroup,
    String reportUrl) {

  private static final Severity DEFAULT_MIN_SEVERITY = Severity.WARNING;

  public SlackConfig {
    webhookUrl = blankToNull(webhookUrl);
    botToken = blankToNull(botToken);
    channel = blankToNull(channel);
    channels = channels == null ? Map.of() : Map.copyOf(channels);
    minSeverity = minSeverity == null ? DEFAULT_MIN_SEVERITY : minSeverity;
    includeKinds = upper(includeKinds);
    excludeKinds = upper(excludeKinds);
    reportUrl = blankToNull(reportUrl);
    if (reportUrl != null) {
      if (!reportUrl.startsWith("http://") && !reportUrl.startsWith("https://")) {
        throw new IllegalArgumentException(
            "reportUrl: must be an http:// or https:// URL (where labwatch run's metrics port is"
                + " reached, e.g. http://labbox.lab:9464), got '"
                + reportUrl
                + "'");
      }
      while (reportUrl.endsWith("/")) {
        reportUrl = reportUrl.substring(0, reportUrl.length() - 1);
      }
    }
    if (webhookUrl != null && botToken != null) {
      throw new IllegalArgumentException(
          "webhookUrl: set either webhookUrl or botToken (with channel), not both");
    }
    if (botToken != null && channel == null) {
      throw new IllegalArgumentException("channel: a bot token needs a channel to post to");
    }
    if (webhookUrl != null) {
      checkUrl(webhookUrl, "webhookUrl");
    }
    apiUrl =
        apiUrl == null || apiUrl.isBlank() ? "https://slack.com/api" : apiUrl.replaceAll("/+$", "");
    checkUrl(apiUrl, "apiUrl");
    if (digestThreshold < 1) {
      throw new IllegalArgumentException(
          "digestThreshold: must be at least 1, got " + digestThreshold);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst: must be at least 1, got " + burst);
    }
    timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
    consumerGroup =
        consumerGroup == null || consumerGroup.isBlank() ? "labwatch-slack" : consumerGroup;
  }

  /** Without a report link. */
  public SlackConfig(
      String webhookUrl,
      String botToken,
      String channel,
      Map<String, String> channels,
      Severity minSeverity,
      List<String> includeKinds,
      List<String> excludeKinds,
      int digestThreshold,
      int burst,
      String apiUrl,
      Duration timeout,
      String consumerGroup) {
    this(
        webhookUrl,
        botToken,
        channel,
        channels,
        minSeverity,
        includeKinds,
        excludeKinds,
        digestThreshold,
        burst,
        apiUrl,
        timeout,
        consumerGroup,
        null);
  }

  /** The page of an incident's report, when reports are linked. */
  public String reportLink(String incidentId) {
    if (reportUrl == null) {
      return null;
    }
    return reportUrl
        + "/incidents/"
        + java.net.URLEncoder.encode(incidentId, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Off: neither a webhook nor a bot token. */
  public static SlackConfig off() {
    return new SlackConfig(
        null,
        null,
        null,
        Map.of(),
        DEFAULT_MIN_SEVERITY,
        List.of(),
        List.of(),
        10,
        3,
        null,
        null,
        null);
  }

  public boolean enabled() {
    return webhookUrl != null || botToken != null;
  }

  public boolean botMode() {
    return botToken != null;
  }

  /** Whether an alert of this kind and severity goes to Slack at all. */
  public boolean wants(String kind, Severity severity) {
    return severity.atLeast(minSeverity)
        && (includeKinds.isEmpty() || includeKinds.contains(kind))
        && !excludeKinds.contains(kind);
  }

  /** The channel for an alert kind (bot mode); webhooks post where they were made for. */
  public String channelFor(String kind) {
    return channels.getOrDefault(kind, channel);
  }

  /** {@code https://hooks.slack.com/…}: enough to recognise, nothing to use. */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    try {
      URI u = URI.create(url);
      return u.getScheme() + "://" + u.getHost() + "/…";
    } catch (IllegalArgumentException e) {
      return "[a URL]";
    }
  }

  @Override
  public String toString() {
    return "SlackConfig[webhookUrl="
        + redact(webhookUrl)
        + ", botToken="
        + (botToken == null ? null : "[secret]")
        + ", channel="
        + channel
        + ", channels="
        + channels
        + ", minSeverity="
        + minSeverity
        + ", includeKinds="
        + includeKinds
        + ", excludeKinds="
        + excludeKinds
        + ", digestThreshold="
        + digestThreshold
        + ", burst="
        + burst
        + ", apiUrl="
        + apiUrl
        + ", timeout="
        + timeout
        + ", consumerGroup="
        + consumerGroup
        + "]";
  }

  private static void checkUrl(String url, String key) {
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": not a URL (" + redact(url) + ")");
    }
    if (u.getScheme() == null) {
      // (redact() would show null://null: a URL without a scheme has no host either)
      throw new IllegalArgumentException(
          key + ": a URL must start with https:// (this one has no scheme)");
    }
    boolean local =
        "localhost".equals(u.getHost())
            || "127.0.0.1".equals(u.getHost())
            || "[::1]".equals(u.getHost());
    if (!"https".equals(u.getScheme()) && !("http".equals(u.getScheme()) && local)
        || u.getHost() == null) {
      throw new IllegalArgumentException(
          key + ": must be an https:// URL (plain http only to localhost), got " + redact(url));
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static List<String> upper(List<String> kinds) {
    return kinds == null
        ? List.of()
        : kinds.stream().map(k -> k.trim().toUpperCase(Locale.ROOT)).toList();
  }
}
