package io.labwatch.app.detect;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.Topics;
import io.labwatch.producers.arp.Interfaces;
import io.labwatch.streams.DetectionTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detection topology running as a Kafka Streams application against a broker, with its state
 * under {@code dataDir/streams}. A stream thread that dies is replaced ({@link ThreadRecovery}),
 * always; one that keeps dying is replaced after a growing pause and reported as a problem.
 */
public final class Detection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Detection.class);

  private final KafkaStreams streams;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final ThreadRecovery recovery = ThreadRecovery.standard();
  private volatile String lastThreadFailure;

  private static final AtomicInteger started = new AtomicInteger();

  /**
   * {@code labwatch-detect-HOST-PID}: the process one detection instance of several is (a second
   * one in the same JVM, as tests start them, gets {@code -2}).
   */
  static String instanceName() {
    int n = started.incrementAndGet();
    return "labwatch-detect-"
        + Interfaces.hostName()
        + "-"
        + ProcessHandle.current().pid()
        + (n > 1 ? "-" + n : "");
  }

  /** The detection's group session ({@code session.timeout.ms}) unless configured: 10 s. */
  static final int SESSION_TIMEOUT_MS = 10_000;

  private final Topics topics;
  private final CountDownLatch running = new CountDownLatch(1);

  private Detection(KafkaStreams streams, Topics topics) {
    this.streams = streams;
    this.topics = topics;
  }

  /**
   * Starts the detection and waits until it runs.
   *
   * @param onFailure told once, with a one-line reason, if the detection dies later
   */
  public static Detection start(
      LabwatchConfig config, String bootstrap, Consumer<String> onFailure) {
    return start(config, bootstrap, 0, onFailure);
  }

  /**
   * ... one instance of several: {@code standbyReplicas} other instances keep a warm copy of each
   * of its state stores (none while it is alone).
   */
  public static Detection start(
      LabwatchConfig config, String bootstrap, int standbyReplicas, Consumer<String> onFailure) {
    Detection d = create(config, bootstrap, standbyReplicas, topology(config), onFailure);
    d.begin();
    return d.awaitRunning();
  }

  /** The detection's topology for {@code config}: no broker needed, only Kafka Streams' classes. */
  public static Topology topology(LabwatchConfig config) {
    return DetectionTopology.build(config.catalogue(), config.detection());
  }

  /**
   * The detection, not started yet: {@link #begin} starts it, {@link #awaitRunning} waits until it
   * runs. (Made apart, so that {@code labwatch run} builds it on a thread of its own while the rest
   * starts.)
   *
   * @param topology {@link #topology}
   * @param onFailure told once, with a one-line reason, if the detection dies later
   */
  public static Detection create(
      LabwatchConfig config,
      String bootstrap,
      int standbyReplicas,
      Topology topology,
      Consumer<String> onFailure) {
    if (standbyReplicas < 0) {
      throw new IllegalArgumentException("standby replicas: must be >= 0, got " + standbyReplicas);
    }
    Topics topics = config.catalogue();
    Path stateDir = config.dataDir().toAbsolutePath().resolve("streams");
    Map<String, Object> client = new HashMap<>(config.kafkaClientProperties(bootstrap));
    // which process an instance is, in `labwatch status` (its consumers' client ids start so)
    client.putIfAbsent("client.id", instanceName());
    client.put("num.standby.replicas", standbyReplicas);
    // A dead instance's partitions move to the others once its group session times out: Kafka's
    // 45 s is that long without detection on them (and a restarted `labwatch run` that was killed
    // waits as long for its own old member); 10 s with a heartbeat every 3 s still lets two
    // heartbeats get lost. The kafka.* passthrough may set either.
    client.putIfAbsent("session.timeout.ms", SESSION_TIMEOUT_MS);
    KafkaStreams streams =
        new KafkaStreams(
            topology, DetectionTopology.properties(config.detection(), topics, client, stateDir));
    Detection d = new Detection(streams, topics);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING || now == KafkaStreams.State.ERROR) {
            d.running.countDown();
          }
          // (a stream thread is always replaced; what ends the client is its global thread, which
          // reads the inventory and cannot be)
          if (now == KafkaStreams.State.ERROR
              && d.failure.compareAndSet(
                  null,
                  new LabwatchException(
                      d.lastThreadFailure != null
                          ? d.lastThreadFailure
                          : "Kafka Streams failed"))) {
            String why = "the detection stopped: " + rootMessage(d.failure.get());
            log.error(why);
            onFailure.accept(why);
          }
        });
    streams.setUncaughtExceptionHandler(
        e -> {
          Duration pause = d.recovery.onThreadDeath();
          String why = rootMessage(e);
          d.lastThreadFailure = why;
          log.warn(
              "the detection's stream thread failed ({}); replacing it{} and resuming from the last"
                  + " commit ({} in the last {} min)",
              why,
              pause.isZero() ? "" : " in " + pause.toSeconds() + " s",
              d.recovery.recent(),
              ThreadRecovery.WINDOW.toMinutes());
          log.debug("the stream thread's failure", e);
          if (!pause.isZero()) {
            try {
              Thread.sleep(pause.toMillis()); // (on the dying thread: only it waits)
            } catch (InterruptedException interrupted) {
              Thread.currentThread().interrupt();
            }
          }
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    return d;
  }

  /** Starts the detection; returns at once ({@link #awaitRunning} waits until it runs). */
  public void begin() {
    streams.start();
  }

  /**
   * Waits until the detection runs.
   *
   * @return this
   * @throws LabwatchException when it could not start (it is closed then)
   */
  public Detection awaitRunning() {
    try {
      if (!running.await(120, TimeUnit.SECONDS)) {
        log.warn("the detection is still starting after 120 s (state {})", streams.state());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (streams.state() == KafkaStreams.State.ERROR || failure.get() != null) {
      streams.close(Duration.ofSeconds(10));
      throw new LabwatchException("the detection could not start: " + rootMessage(failure.get()));
    }
    log.info("detection running: {} -> {}", topics.arp().name(), topics.alerts().name());
    return this;
  }

  /**
   * Pauses (true) or resumes (false) the processing: while paused no record is processed and no
   * punctuation runs (Kafka Streams still polls and commits), and the group membership is kept, so
   * resuming carries on where it stopped.
   */
  public void paused(boolean pause) {
    if (pause) {
      streams.pause();
    } else {
      streams.resume();
    }
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Null while the detection works; else why not, in one line (for /-/healthy). */
  public String problem() {
    Throwable f = failure.get();
    if (f != null) {
      return "stopped: " + rootMessage(f);
    }
    if (recovery.looping()) {
      return "its stream thread keeps failing ("
          + lastThreadFailure
          + "; "
          + recovery.recent()
          + " times in "
          + ThreadRecovery.WINDOW.toMinutes()
          + " min); it is replaced each time, after a growing pause";
    }
    KafkaStreams.State s = streams.state();
    return switch (s) {
      case RUNNING, REBALANCING, CREATED -> null;
      default -> "not running (Kafka Streams state " + s + ")";
    };
  }

  private static String rootMessage(Throwable e) {
    if (e == null) {
      return "unknown reason";
    }
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName()
        + ": "
        + String.valueOf(t.getMessage()).lines().findFirst().orElse("");
  }

  /**
   * Stops cleanly: commits, flushes state, and leaves the group — so that the next start (a restart
   * of labwatch) is assigned its partitions at once, instead of waiting out the old member's
   * session timeout (10 s, {@link #SESSION_TIMEOUT_MS}, during which nothing is detected).
   */
  @Override
  public void close() {
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(30)));
  }
}
