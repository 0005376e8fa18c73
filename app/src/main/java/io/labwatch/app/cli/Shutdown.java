package io.labwatch.app.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orderly stop of a long-running command: parts register as they start, and are closed in reverse
 * order when the JVM is asked to stop (SIGINT, SIGTERM) or when {@link #requestStop()} is called.
 */
public final class Shutdown {

  private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

  private final Deque<Part> parts = new ArrayDeque<>();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final Object closing = new Object();
  private boolean hookInstalled;

  private record Part(String name, AutoCloseable closeable) {}

  /** Installs the JVM shutdown hook; once per process, by the entry point. */
  public synchronized Shutdown onSignals() {
    if (!hookInstalled) {
      hookInstalled = true;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    requestStop();
                    closeAll();
                  },
                  "labwatch-shutdown"));
    }
    return this;
  }

  /** Closes {@code closeable} on stop, before everything registered earlier. */
  public synchronized <T extends AutoCloseable> T register(String name, T closeable) {
    parts.push(new Part(name, closeable));
    return closeable;
  }

  /** Forgets {@code closeable}: it was closed by its owner. */
  public synchronized void deregister(AutoCloseable closeable) {
    parts.removeIf(p -> p.closeable() == closeable);
  }

  public void requestStop() {
    stopRequested.countDown();
  }

  public boolean isStopRequested() {
    return stopRequested.getCount() == 0;
  }

  /** Blocks until a stop is requested. */
  public void awaitStopRequest() throws InterruptedException {
    stopRequested.await();
  }

  public boolean awaitStopRequest(long timeout, TimeUnit unit) throws InterruptedException {
    return stopRequested.await(timeout, unit);
  }

  /**
   * Closes every registered part, newest first. Safe to call from several threads: a second caller
   * returns only when the first has finished, so the JVM's shutdown hook never ends while a part is
   * still closing.
   */
  public void closeAll() {
    synchronized (closing) {
      while (true) {
        Part part;
        synchronized (this) {
          part = parts.poll();
        }
        if (part == null) {
          return;
        }
        try {
          log.debug("stopping {}", part.name());
          part.closeable().close();
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          log.warn("{} did not stop cleanly: {}", part.name(), e.toString());
        }
      }
    }
  }
}
