package io.labwatch.sinks.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Severity;
import io.labwatch.sinks.testing.FakeSlack;
import io.labwatch.sinks.testing.FakeSlack.Answer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every answer Slack gives, sorted: ok, wait, try again, give up. */
class SlackApiTest {

  static SlackConfig webhook(String url) {
    return new SlackConfig(
        url,
        null,
        null,
        Map.of(),
        Severity.WARNING,
        List.of(),
        List.of(),
        10,
        3,
        null,
        Duration.ofSeconds(2),
        null);
  }

  static SlackConfig bot(String apiUrl) {
    return new SlackConfig(
        null,
        "xoxb-secret-token",
        "#lab",
        Map.of(),
        Severity.WARNING,
        List.of(),
        List.of(),
        10,
        3,
        apiUrl,
        Duration.ofSeconds(2),
        null);
  }

  @Test
  void aWebhookAnswersOkRateLimitsServerErrorsAndRefusals() throws Exception {
    try (FakeSlack slack = new FakeSlack()) {
      slack.then(
          Answer.rateLimited(2),
          Answer.status(500, ""),
          Answer.status(400, "invalid_payload"),
          Answer.status(404, "channel_not_found"));
      SlackApi api = new SlackApi(webhook(slack.webhookUrl()));
      var msg = SlackMessages.message(SlackMessagesTest.seed());
      assertThat(api.webhook(msg)).isEqualTo(new Delivery.RetryAfter(Duration.ofSeconds(2)));
      assertThat(api.webhook(msg)).isEqualTo(new Delivery.Transient("HTTP 500"));
      assertThat(api.webhook(msg)).isEqualTo(new Delivery.Permanent("invalid_payload (HTTP 400)"));
      assertThat(api.webhook(msg))
          .isEqualTo(new Delivery.Permanent("channel_not_found (HTTP 404)"));
      assertThat(api.webhook(msg)).isEqualTo(new Delivery.Ok(null, null));
      assertThat(slack.requests())
          .hasSize(5)
          .allMatch(r -> r.path().equals(FakeSlack.WEBHOOK_PATH));
    }
  }

  @Test
  void theBotPostsWithItsTokenAndGetsTheMessagesTimestamp() throws Exception {
    try (FakeSlack slack = new FakeSlack()) {
      SlackApi api = new SlackApi(bot(slack.apiUrl()));
      var msg = SlackMessages.message(SlackMessagesTest.seed());
      Delivery posted = api.post("#lab", msg, null);
      assertThat(posted).isInstanceOf(Delivery.Ok.class);
      String ts = ((Delivery.Ok) posted).ts();
      assertThat(api.update("C0LAB", ts, msg)).isEqualTo(new Delivery.Ok("C0LAB", ts));
      assertThat(api.post("C0LAB", msg, ts)).isInstanceOf(Delivery.Ok.class);
      assertThat(slack.requests())
          .extracting(FakeSlack.Request::path)
          .containsExactly("/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage");
      assertThat(slack.requests())
          .allMatch(r -> "Bearer xoxb-secret-token".equals(r.authorization()));
      assertThat(slack.requests().get(1).body().path("ts").asText()).isEqualTo(ts);
      assertThat(slack.requests().get(2).body().path("thread_ts").asText()).isEqualTo(ts);
    }
  }

  @Test
  void webApiErrorsArePermanentUnlessSlackSaysTheyPass() throws Exception {
    try (FakeSlack slack = new FakeSlack()) {
      slack.then(
          Answer.apiError("channel_not_found"),
          Answer.apiError("invalid_auth"),
          Answer.apiError("internal_error"),
          Answer.status(503, ""));
      SlackApi api = new SlackApi(bot(slack.apiUrl()));
      var msg = SlackMessages.message(SlackMessagesTest.seed());
      assertThat(api.post("#lab", msg, null))
          .isEqualTo(new Delivery.Permanent("channel_not_found"));
      assertThat(api.post("#lab", msg, null)).isEqualTo(new Delivery.Permanent("invalid_auth"));
      assertThat(api.post("#lab", msg, null)).isEqualTo(new Delivery.Transient("internal_error"));
      assertThat(api.post("#lab", msg, null)).isEqualTo(new Delivery.Transient("HTTP 503"));
    }
  }

  @Test
  void noAnswerAtAllIsTransientAndNeverShowsTheSecretUrl() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closed + "/services/T000/B000/very-secret-part";
    Delivery d =
        new SlackApi(webhook(url)).webhook(SlackMessages.message(SlackMessagesTest.seed()));
    assertThat(d).isInstanceOf(Delivery.Transient.class);
    assertThat(d.toString()).doesNotContain("very-secret-part");
  }

  @Test
  void theConfigNeverPrintsItsSecrets() {
    SlackConfig c = webhook("https://hooks.slack.com/services/T000/B000/very-secret-part");
    assertThat(c.toString())
        .contains("https://hooks.slack.com/…")
        .doesNotContain("very-secret-part");
    assertThat(bot("https://slack.com/api").toString()).doesNotContain("xoxb-secret-token");
  }
}
