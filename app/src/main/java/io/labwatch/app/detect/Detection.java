package io.labwatch.app.detect;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.Topics;
import io.labwatch.streams.DetectionTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detection topology running as a Kafka Streams application against a broker, with its state
 * under {@code dataDir/streams}. A stream thread that dies is replaced ({@link ThreadRecovery}); an
 * error that keeps killing it stops the detection and is reported once, in one line.
 */
public final class Detection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Detection.class);

  private final KafkaStreams streams;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private Detection(KafkaStreams streams) {
    this.streams = streams;
  }

  /**
   * Starts the detection and waits until it runs.
   *
   * @param onFailure told once, with a one-line reason, if the detection dies later
   */
  public static Detection start(
      LabwatchConfig config, String bootstrap, Consumer<String> onFailure) {
    Topics topics = config.catalogue();
    Path stateDir = config.dataDir().toAbsolutePath().resolve("streams");
    KafkaStreams streams =
        new KafkaStreams(
            DetectionTopology.build(topics, config.detection()),
            DetectionTopology.properties(
                config.detection(), topics, config.kafkaClientProperties(bootstrap), stateDir));
    Detection d = new Detection(streams);
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING || now == KafkaStreams.State.ERROR) {
            running.countDown();
          }
        });
    ThreadRecovery recovery = ThreadRecovery.standard();
    streams.setUncaughtExceptionHandler(
        e -> {
          StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response =
              recovery.onThreadDeath();
          if (response
              == StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD) {
            log.warn(
                "the detection's stream thread failed ({}); replacing it and resuming from the last"
                    + " commit ({} of at most {} replacements in {})",
                rootMessage(e),
                recovery.recent(),
                recovery.limit(),
                recovery.window().toMinutes() + " min");
            log.debug("the stream thread's failure", e);
            return response;
          }
          if (d.failure.compareAndSet(null, e)) {
            String why =
                "the detection stopped: "
                    + rootMessage(e)
                    + " (its thread failed "
                    + (recovery.limit() + 1)
                    + " times within "
                    + recovery.window().toMinutes()
                    + " min"
                    + ")";
            log.error(why, e);
            onFailure.accept(why);
          }
          return response;
        });
    streams.start();
    try {
      if (!running.await(120, TimeUnit.SECONDS)) {
        log.warn("the detection is still starting after 120 s (state {})", streams.state());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (streams.state() == KafkaStreams.State.ERROR || d.failure.get() != null) {
      streams.close(Duration.ofSeconds(10));
      throw new LabwatchException("the detection could not start: " + rootMessage(d.failure.get()));
    }
    log.info("detection running: {} -> {}", topics.arp().name(), topics.alerts().name());
    return d;
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
   * session timeout (45 s, during which nothing is detected).
   */
  @Override
  public void close() {
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(30)));
  }
}
