package io.labwatch.sinks.prometheus;

import io.labwatch.events.LabwatchException;
import io.labwatch.events.PortOwner;
import io.labwatch.events.Topics;
import io.labwatch.sinks.ConsumerLag;
import io.labwatch.sinks.Health;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus sink: reads the alerts, ARP and dead-letter topics into {@link LabwatchMetrics}
 * (through a {@link MetricsFeed}) and serves them on {@code /metrics}, with {@code /-/healthy} for
 * liveness; looks up the other consumers' lag every {@code lagInterval} ({@link ConsumerLag}).
 *
 * <p>It keeps no consumer group and commits nothing: on every start it rebuilds the set of firing
 * incidents from the (compacted) alerts topic before it serves a single scrape, so /metrics shows
 * exactly what fires — neither nothing, nor incidents that resolved while it was down. Sensors'
 * last heartbeats come from the last {@link MetricsFeed#HEARTBEAT_LOOKBACK} of the ARP topic.
 * Counters count what happens from the start on. A silence changes nothing of what fires here: it
 * adds {@code labwatch_alert_silenced} for the incidents it matches while it is active.
 */
public final class PrometheusSink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PrometheusSink.class);

  private final LabwatchMetrics metrics;
  private final MetricsFeed feed;
  private final ConsumerLag lag;
  private final Map<String, String> lagGroups;
  private final Duration lagInterval;
  private final ScheduledExecutorService lagPoller;
  private final Set<String> lagProblems = ConcurrentHashMap.newKeySet();
  private final Thread thread;

  private HTTPServer server;
  private volatile boolean stopped;
  private volatile String failure;

  private PrometheusSink(
      Topics topics,
      Map<String, Object> clientProperties,
      LabwatchMetrics metrics,
      Map<String, String> lagGroups,
      Duration lagInterval) {
    this.metrics = metrics;
    this.lagGroups = Map.copyOf(lagGroups);
    this.lagInterval = lagInterval;
    this.feed = new MetricsFeed(topics, clientProperties, metrics);
    this.lag = new ConsumerLag(clientProperties, "labwatch-prometheus-lag");
    this.lagPoller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "labwatch-prometheus-lag");
              t.setDaemon(true);
              return t;
            });
    this.thread = new Thread(this::run, "labwatch-prometheus-sink");
  }

  /**
   * Rebuilds what is firing from the alerts topic, then serves /metrics; returns once it serves.
   *
   * @param lagGroups consumer name in the metric (e.g. {@code detect}) to its Kafka consumer group
   */
  public static PrometheusSink start(
      MetricsConfig config,
      Topics topics,
      Map<String, Object> clientProperties,
      LabwatchMetrics metrics,
      Health health,
      Map<String, String> lagGroups) {
    return start(config, topics, clientProperties, metrics, health, lagGroups, null);
  }

  /** ... and {@code incidents} answering under {@code /incidents/} (null: none). */
  public static PrometheusSink start(
      MetricsConfig config,
      Topics topics,
      Map<String, Object> clientProperties,
      LabwatchMetrics metrics,
      Health health,
      Map<String, String> lagGroups,
      com.sun.net.httpserver.HttpHandler incidents) {
    PrometheusSink sink =
        new PrometheusSink(topics, clientProperties, metrics, lagGroups, config.lagInterval());
    try {
      sink.feed.catchUp();
      sink.server = serve(config, metrics, health, incidents);
    } catch (RuntimeException e) {
      sink.closeClients();
      throw e;
    }
    health.register("prometheus sink", () -> sink.failure);
    sink.thread.start();
    sink.lagPoller.scheduleWithFixedDelay(
        sink::pollLag, 0, config.lagInterval().toMillis(), TimeUnit.MILLISECONDS);
    log.info(
        "serving metrics on http://{}/metrics ({} incident(s) firing)",
        config.address(),
        metrics.firingCount());
    return sink;
  }

  /** The port /metrics listens on (the chosen one when configured as 0). */
  public int port() {
    return server.getPort();
  }

  /**
   * Serves {@code metrics} on /metrics and {@code health} on /-/healthy, nothing read from Kafka:
   * for a process that runs one part alone (labwatch sink slack --metrics-listen).
   *
   * <p>The JDK's HTTP server under it writes a response's headers and body in separate packets:
   * unless the process set {@code sun.net.httpserver.nodelay=true} before its first server started
   * (labwatch's {@code main} does), Nagle's algorithm and the scraper's delayed ACK add 40 ms to
   * every small scrape.
   */
  public static HTTPServer serve(MetricsConfig config, LabwatchMetrics metrics, Health health) {
    return serve(config, metrics, health, null);
  }

  private static HTTPServer serve(
      MetricsConfig config,
      LabwatchMetrics metrics,
      Health health,
      com.sun.net.httpserver.HttpHandler incidents) {
    try {
      return HTTPServer.builder()
          .hostname(config.host())
          .port(config.port())
          .registry(metrics.registry())
          .registerHealthHandler(false)
          .defaultHandler(new HealthHandler(health, incidents))
          .buildAndStart();
    } catch (BindException e) {
      String owner = PortOwner.describe(config.port()).map(o -> " by " + o).orElse("");
      throw new LabwatchException(
          "port "
              + config.port()
              + " on "
              + config.host()
              + " is already in use"
              + owner
              + " — stop it, or choose another address for /metrics (metrics.listen)",
          e);
    } catch (IOException e) {
      throw new LabwatchException(
          "cannot serve metrics on " + config.address() + ": " + e.getMessage(), e);
    }
  }

  private void run() {
    try {
      while (!stopped) {
        feed.follow(Duration.ofMillis(500));
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = "stopped reading Kafka: " + e;
      log.error("the Prometheus sink stopped reading Kafka: {}", e.toString(), e);
    } finally {
      feed.close();
    }
  }

  /** The committed offsets of the other consumers against the topics' ends, from the broker. */
  private void pollLag() {
    lag.read(
            lagGroups,
            (name, e) -> {
              if (lagProblems.add(name)) {
                log.warn(
                    "cannot look up the lag of consumer group {}: {} (tried again every {} s)",
                    lagGroups.get(name),
                    e.toString(),
                    lagInterval.toSeconds());
              }
            })
        .forEach(
            (name, perTopic) -> {
              metrics.lag(name, perTopic);
              lagProblems.remove(name);
            });
  }

  @Override
  public void close() {
    stopped = true;
    feed.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (server != null) {
      server.close();
    }
    lagPoller.shutdownNow();
    lag.close();
  }

  private void closeClients() {
    feed.close();
    lagPoller.shutdownNow();
    lag.close();
  }
}
