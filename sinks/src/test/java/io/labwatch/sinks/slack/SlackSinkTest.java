package io.labwatch.sinks.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlackSinkTest {

  @Test
  void aRefusalsDeadLetterCodeIsSlacksErrorCodeOrTheStatusInSnakeCase() {
    assertThat(SlackSink.code("invalid_payload")).isEqualTo("invalid_payload");
    assertThat(SlackSink.code("no_service (HTTP 404)")).isEqualTo("no_service");
    // (a label value on /metrics: never "HTTP", nor a space)
    assertThat(SlackSink.code("HTTP 403")).isEqualTo("http_403");
    assertThat(SlackSink.code("Invalid-Token")).isEqualTo("invalid_token");
    assertThat(SlackSink.code(" ")).isEqualTo("unknown");
  }
}
