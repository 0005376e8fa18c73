package io.labwatch.sinks.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labwatch.events.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * The few Slack calls labwatch makes — an incoming webhook, {@code chat.postMessage}, {@code
 * chat.update} — with every answer sorted into ok, wait, try again, or give up. Never logs or
 * reports the webhook URL or the token.
 */
public final class SlackApi {

  /** Web API errors that go away by themselves; any other error is the message's or the setup's. */
  private static final Set<String> TRANSIENT =
      Set.of(
          "ratelimited",
          "internal_error",
          "fatal_error",
          "service_unavailable",
          "request_timeout",
          "team_added_to_org");

  private static final ObjectMapper JSON = Json.mapper();

  private final SlackConfig config;
  private final HttpClient http;

  public SlackApi(SlackConfig config) {
    this.config = config;
    this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
  }

  /** Posts to the incoming webhook. */
  public Delivery webhook(ObjectNode message) {
    return send(URI.create(config.webhookUrl()), message, null, false);
  }

  /** {@code chat.postMessage}; a reply in the thread of {@code threadTs} when it is not null. */
  public Delivery post(String channel, ObjectNode message, String threadTs) {
    ObjectNode body = message.deepCopy();
    body.put("channel", channel);
    if (threadTs != null) {
      body.put("thread_ts", threadTs);
    }
    return send(URI.create(config.apiUrl() + "/chat.postMessage"), body, config.botToken(), true);
  }

  /** {@code chat.update}: replaces the message {@code ts} in {@code channel}. */
  public Delivery update(String channel, String ts, ObjectNode message) {
    ObjectNode body = message.deepCopy();
    body.put("channel", channel);
    body.put("ts", ts);
    return send(URI.create(config.apiUrl() + "/chat.update"), body, config.botToken(), true);
  }

  private Delivery send(URI uri, ObjectNode body, String token, boolean webApi) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(config.timeout())
            .header("Content-Type", "application/json; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Delivery.Transient(
          e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + scrub(firstLine(e.getMessage()))));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Delivery.Transient("interrupted");
    }
    int status = response.statusCode();
    if (status == 429) {
      long seconds = response.headers().firstValue("Retry-After").map(SlackApi::seconds).orElse(1L);
      return new Delivery.RetryAfter(Duration.ofSeconds(Math.max(1, seconds)));
    }
    if (status >= 500) {
      return new Delivery.Transient("HTTP " + status);
    }
    String text = response.body() == null ? "" : response.body().trim();
    if (!webApi) {
      if (status == 200) {
        return new Delivery.Ok(null, null);
      }
      return new Delivery.Permanent(
          text.isEmpty() ? "HTTP " + status : firstLine(text) + " (HTTP " + status + ")");
    }
    if (status != 200) {
      return status == 401 || status == 403 || status == 404
          ? new Delivery.Permanent("HTTP " + status)
          : new Delivery.Transient("HTTP " + status);
    }
    try {
      JsonNode answer = JSON.readTree(text);
      if (answer.path("ok").asBoolean(false)) {
        return new Delivery.Ok(answer.path("channel").asText(null), answer.path("ts").asText(null));
      }
      String error = answer.path("error").asText("unknown error");
      return TRANSIENT.contains(error)
          ? new Delivery.Transient(error)
          : new Delivery.Permanent(error);
    } catch (IOException e) {
      return new Delivery.Transient("an answer that is not JSON");
    }
  }

  /** No error text of ours carries the webhook URL or the token, whatever a library put in it. */
  private String scrub(String s) {
    String out = s;
    if (config.webhookUrl() != null) {
      out = out.replace(config.webhookUrl(), SlackConfig.redact(config.webhookUrl()));
    }
    if (config.botToken() != null) {
      out = out.replace(config.botToken(), "[token]");
    }
    return out;
  }

  private static long seconds(String header) {
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static String firstLine(String s) {
    String line = s.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
