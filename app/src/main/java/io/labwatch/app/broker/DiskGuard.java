package io.labwatch.app.broker;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.Heartbeat;
import io.labwatch.producers.publish.EventPublisher;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps labwatch from filling the data dir's disk: Kafka stops the broker at its first failed write
 * (and used to end the whole process with it). Every second it reads the free space; below the
 * reserve ({@code broker.diskReserveMb}) labwatch stops writing — the in-process sensors'
 * observations and heartbeats are dropped and counted, the detection is paused — while what is in
 * memory (/metrics, the firing incidents) stays served. Once the reserve plus {@link
 * #HYSTERESIS_BYTES} is free again, writing resumes by itself. The same holds while the broker has
 * stopped itself on a disk that filled anyway (another process took the reserve too).
 */
public final class DiskGuard implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DiskGuard.class);

  /**
   * Free space above the reserve before writing resumes, so that a disk hovering at the reserve
   * does not pause and resume the detection every second.
   */
  public static final long HYSTERESIS_BYTES = 32L * EmbeddedBroker.MIB;

  private final Path dir;
  private final long reserveBytes;
  private final LongSupplier freeBytes;
  private final Supplier<String> brokerStopped;
  private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong dropped = new AtomicLong();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "labwatch-disk-guard");
            t.setDaemon(true);
            return t;
          });

  private volatile long free = Long.MAX_VALUE;
  private volatile boolean full;
  private volatile boolean blocked;
  private volatile String lastStopped;

  /**
   * @param freeBytes the free space of {@code dir} now
   * @param brokerStopped why the broker has stopped itself, null while it runs
   */
  DiskGuard(Path dir, long reserveBytes, LongSupplier freeBytes, Supplier<String> brokerStopped) {
    this.dir = dir;
    this.reserveBytes = reserveBytes;
    this.freeBytes = freeBytes;
    this.brokerStopped = brokerStopped;
  }

  /** Guards the embedded broker's data dir, checking every {@code everyMillis}. */
  public static DiskGuard start(EmbeddedBroker broker, long reserveBytes, long everyMillis) {
    Path dataDir = broker.logDir().getParent();
    DiskGuard g = new DiskGuard(dataDir, reserveBytes, broker::freeBytes, broker::stoppedBecause);
    g.check();
    g.timer.scheduleWithFixedDelay(g::check, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    return g;
  }

  /** Told {@code true} when labwatch stops writing, {@code false} when it writes again. */
  public DiskGuard onChange(Consumer<Boolean> listener) {
    listeners.add(listener);
    if (blocked) {
      listener.accept(true);
    }
    return this;
  }

  synchronized void check() {
    long now = freeBytes.getAsLong();
    free = now;
    if (reserveBytes > 0) {
      if (!full && now < reserveBytes) {
        full = true;
      } else if (full && now >= reserveBytes + HYSTERESIS_BYTES) {
        full = false;
      }
    }
    boolean block = full || brokerStopped.get() != null;
    if (block != blocked) {
      blocked = block;
      if (block) {
        log.info(
            "labwatch stops writing ({}; {} has {} MiB free): observations dropped, detection paused",
            full ? "the disk is full" : "the broker stopped",
            dir,
            now / EmbeddedBroker.MIB);
      } else {
        log.info(
            "labwatch writes again ({} has {} MiB free): observations published, detection resumed",
            dir,
            now / EmbeddedBroker.MIB);
      }
      listeners.forEach(
          l -> {
            try {
              l.accept(block);
            } catch (RuntimeException e) {
              log.warn("a part did not follow the disk guard: {}", e.toString());
            }
          });
    }
  }

  /** Whether labwatch has stopped writing. */
  public boolean blocked() {
    return blocked;
  }

  /** Observations dropped because the disk was full, since the start. */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Null while labwatch writes; else one line for /-/healthy and the console. Its numbers change as
   * it goes, its words only when something else happens (the console says it once).
   */
  public String problem() {
    // (in one wording from the broker's stop until writing resumes: the check runs once a second,
    // and its lag used to show a broker that had just stopped, or just come back, in the words of
    // another state — three console lines for one outage)
    String stopped = brokerStopped.get();
    if (stopped != null) {
      lastStopped = stopped;
    } else if (!blocked && !full) {
      return null;
    } else if (!full) {
      stopped = lastStopped != null ? lastStopped : "the broker stopped";
    }
    String what =
        "observations are dropped ("
            + dropped.get()
            + " so far) and the detection is paused until space is freed";
    if (full || stopped == null) {
      return "the disk of "
          + dir
          + " is full ("
          + free / EmbeddedBroker.MIB
          + " MiB free, labwatch needs "
          + reserveBytes / EmbeddedBroker.MIB
          + "): "
          + what;
    }
    return "stopped ("
        + stopped
        + "; "
        + dir
        + " has "
        + free / EmbeddedBroker.MIB
        + " MiB free): "
        + what
        + ", then the broker starts again";
  }

  /** {@code publisher}, except that while labwatch has stopped writing, events are dropped. */
  public EventPublisher guard(EventPublisher publisher) {
    return new EventPublisher() {
      @Override
      public void observation(ArpObservation observation) {
        if (blocked) {
          dropped.incrementAndGet();
        } else {
          publisher.observation(observation);
        }
      }

      @Override
      public void probe(ArpProbe probe) {
        if (!blocked) {
          publisher.probe(probe);
        }
      }

      @Override
      public void counters(io.labwatch.events.InterfaceCounters counters) {
        if (!blocked) {
          publisher.counters(counters);
        }
      }

      @Override
      public void hostMetrics(io.labwatch.events.HostMetrics metrics) {
        if (!blocked) {
          publisher.hostMetrics(metrics);
        }
      }

      @Override
      public void probeResult(io.labwatch.events.ProbeResult result) {
        if (!blocked) {
          publisher.probeResult(result);
        }
      }

      // heartbeats are writes too; and a gap in them tells the truth: nothing was watched
      @Override
      public void heartbeat(Heartbeat heartbeat) {
        if (!blocked) {
          publisher.heartbeat(heartbeat);
        }
      }

      @Override
      public void flush() {
        publisher.flush();
      }

      @Override
      public long failures() {
        return publisher.failures();
      }

      @Override
      public String firstFailure() {
        return publisher.firstFailure();
      }

      @Override
      public void closeNow() {
        publisher.closeNow();
      }

      @Override
      public void close() {
        publisher.close();
      }
    };
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
