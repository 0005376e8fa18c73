package io.labwatch.app.cli;

import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
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

  /**
   * Installs the JVM shutdown hook; once per process, by the entry point, which passes how the
   * process exits (System::exit: the entry point is the only place that exits the JVM).
   */
  public synchronized Shutdown onSignals(IntConsumer exit) {
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
      secondInterruptHalts(exit);
    }
    return this;
  }

  /**
   * Ctrl-C starts an orderly stop (the shutdown hook); a second Ctrl-C while it runs ends the
   * process at once. The JVM alone ignores the second one. sun.misc.Signal is reached by reflection
   * (it is exported by jdk.unsupported, but javac warns on every direct use); without it, labwatch
   * keeps the JVM's own handling.
   */
  private static void secondInterruptHalts(IntConsumer exit) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      AtomicInteger interrupts = new AtomicInteger();
      Object onInterrupt =
          Proxy.newProxyInstance(
              Shutdown.class.getClassLoader(),
              new Class<?>[] {handler},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "handle" -> {
                    if (interrupts.incrementAndGet() == 1) {
                      // exiting blocks until the hooks are done: not on the signal's thread
                      Thread exiting = new Thread(() -> exit.accept(130), "labwatch-interrupt");
                      exiting.setDaemon(true);
                      exiting.start();
                    } else {
                      System.err.println("labwatch: stopping at once (second Ctrl-C)");
                      System.err.flush();
                      Runtime.getRuntime().halt(130);
                    }
                    return null;
                  }
                  case "hashCode" -> {
                    return System.identityHashCode(proxy);
                  }
                  case "equals" -> {
                    return proxy == args[0];
                  }
                  default -> {
                    return "labwatch interrupt handler";
                  }
                }
              });
      Object interrupt = signal.getConstructor(String.class).newInstance("INT");
      signal.getMethod("handle", signal, handler).invoke(null, interrupt, onInterrupt);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      log.debug("a second Ctrl-C will not stop at once: {}", e.toString());
    }
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
