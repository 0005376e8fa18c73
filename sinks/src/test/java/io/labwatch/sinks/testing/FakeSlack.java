package io.labwatch.sinks.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local HTTP server that answers like Slack: an incoming webhook at {@link #WEBHOOK_PATH}, and
 * the Web API's {@code chat.postMessage} and {@code chat.update} under {@code /api}. Answers are
 * {@code ok} unless a test queued others (429 with Retry-After, 5xx, 4xx errors, {@code ok:false}).
 * It records every request it gets, with its arrival time.
 */
public final class FakeSlack implements AutoCloseable {

  /** One request as received. */
  /**
   * One request as it arrived: {@code nanoTime} for intervals, {@code at} (the wall clock) to set
   * against a packet's capture timestamp.
   */
  public record Request(
      long nanoTime, String path, String authorization, JsonNode body, java.time.Instant at) {}

  /** One scripted answer. */
  public record Answer(int status, String body, String retryAfter) {
    public static Answer rateLimited(int seconds) {
      return new Answer(429, "", Integer.toString(seconds));
    }

    public static Answer status(int status, String body) {
      return new Answer(status, body, null);
    }

    public static Answer apiError(String error) {
      return new Answer(200, "{\"ok\":false,\"error\":\"" + error + "\"}", null);
    }
  }

  /** The secret part of the webhook's URL, as in Slack's: no log or error may ever show it. */
  public static final String WEBHOOK_SECRET = "XyZsecretWebhookToken42";

  public static final String WEBHOOK_PATH = "/services/T0LAB/B0LAB/" + WEBHOOK_SECRET;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Deque<Answer> script = new ArrayDeque<>();
  private final AtomicLong ts = new AtomicLong(1_764_000_000_000_100L);
  private volatile CountDownLatch hold;
  private volatile int holdAt = -1;
  private int answered;

  public FakeSlack() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public String webhookUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + WEBHOOK_PATH;
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
  }

  /** The next requests get these answers, in order; then ok again. */
  public synchronized FakeSlack then(Answer... answers) {
    script.addAll(List.of(answers));
    return this;
  }

  /**
   * The request number {@code n} (0-based) is recorded but not answered until {@link #release()}.
   */
  public FakeSlack holdRequest(int n) {
    hold = new CountDownLatch(1);
    holdAt = n;
    return this;
  }

  public void release() {
    CountDownLatch h = hold;
    if (h != null) {
      h.countDown();
    }
  }

  /** How many requests have been given their answer (a held one has not). */
  public synchronized int answered() {
    return answered;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The text of every message so far, in order ("CRITICAL IP_CONFLICT firing: ..."). */
  public List<String> texts() {
    return requests().stream().map(r -> r.body().path("text").asText()).toList();
  }

  /**
   * The texts that tell {@code what}: a kind and a stage ({@code "IP_CONFLICT firing"}), or a kind
   * alone, any stage, events too ({@code "MAC_CHANGED"}). A text is "SEVERITY KIND stage: summary",
   * or "SEVERITY KIND: summary" for an event.
   */
  public List<String> texts(String what) {
    boolean kindAlone = what.indexOf(' ') < 0;
    return texts().stream()
        .filter(t -> t.contains(" " + what + ":") || (kindAlone && t.contains(" " + what + " ")))
        .toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] in = exchange.getRequestBody().readAllBytes();
    String path = exchange.getRequestURI().getPath();
    JsonNode body;
    try {
      body = in.length == 0 ? JSON.createObjectNode() : JSON.readTree(in);
    } catch (IOException e) {
      body = JSON.createObjectNode().put("unparsable", new String(in, StandardCharsets.UTF_8));
    }
    int index;
    synchronized (this) {
      requests.add(
          new Request(
              System.nanoTime(),
              path,
              exchange.getRequestHeaders().getFirst("Authorization"),
              body,
              java.time.Instant.now()));
      index = requests.size() - 1;
    }
    if (index == holdAt && hold != null) {
      try {
        hold.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Answer answer;
    synchronized (this) {
      answer = script.poll();
      answered++;
    }
    if (answer == null) {
      answer = ok(path, body);
    }
    if (answer.retryAfter() != null) {
      exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
    }
    byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange
        .getResponseHeaders()
        .add("Content-Type", path.startsWith("/api") ? "application/json" : "text/plain");
    exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(out);
    }
  }

  private Answer ok(String path, JsonNode body) {
    if (path.endsWith("/chat.postMessage")) {
      String t = String.format("%d.%06d", ts.get() / 1_000_000, ts.getAndIncrement() % 1_000_000);
      return Answer.status(200, "{\"ok\":true,\"channel\":\"C0LAB\",\"ts\":\"" + t + "\"}");
    }
    if (path.endsWith("/chat.update")) {
      return Answer.status(
          200, "{\"ok\":true,\"channel\":\"C0LAB\",\"ts\":\"" + body.path("ts").asText() + "\"}");
    }
    return Answer.status(200, "ok");
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }
}
