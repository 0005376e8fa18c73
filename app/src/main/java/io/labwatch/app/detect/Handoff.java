package io.labwatch.app.detect;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.Segments;
import io.labwatch.producers.arp.PcapReplay;
import io.labwatch.producers.publish.EventPublisher;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Hands a capture's events from the thread that reads and parses it to the thread that runs the
 * detection, in batches, in the order they were read: {@code labwatch analyze} on two cores, the
 * reading (about a fifth of the work) beside the detection instead of before it. Everything the
 * detection's side is told — events, the reader's progress, its result or failure — comes out of
 * {@link #drainInto} on the calling thread in the order the reader produced it, so what is printed
 * is what one thread would have printed.
 *
 * <p>The reader implements {@link EventPublisher} and {@link PcapReplay.Progress} towards {@link
 * PcapReplay}; it computes the record key and timestamp the detection needs (the IP's text), so
 * that work is on the reading side too.
 *
 * @param <R> what the reading returns (the replay's summary)
 */
final class Handoff<R> implements EventPublisher, PcapReplay.Progress {

  /** Events per batch: few enough hand-offs to cost nothing, small enough to start at once. */
  static final int BATCH = 1024;

  /** Batches in flight: how far the reader may run ahead (a few MB of events). */
  static final int IN_FLIGHT = 8;

  /** The detection's side. */
  interface Sink {
    void observation(String key, ArpObservation o, long timestamp);

    void heartbeat(String key, Heartbeat h, long timestamp);

    void progress(long packets, long bytes);
  }

  private record Progressed(long packets, long bytes) {}

  private static final class Batch {
    final String[] keys = new String[BATCH];
    final Object[] values = new Object[BATCH];
    final long[] timestamps = new long[BATCH];
    int size;
    boolean last;
    Object result;
    Throwable failure;
  }

  /** How many addresses' keys the reader keeps (past that it starts over). */
  static final int KEYS = 1 << 16;

  /**
   * The key of each address seen lately, one String each: an address's records all carry the same
   * instance, so the detection's lookups by key compare references instead of text, and the reader
   * does not format the address again for every packet.
   */
  private final Map<IpAddress, String> keys = new HashMap<>();

  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(IN_FLIGHT);
  private volatile boolean abandoned;
  private Batch current = new Batch();
  private Thread reader;

  private Handoff() {}

  /**
   * Starts {@code reading} on a thread of its own (named {@code name}); it publishes into the
   * handoff it is given and may use {@link #abandoned} as its stop signal.
   */
  static <R> Handoff<R> start(String name, Function<Handoff<R>, R> reading) {
    Handoff<R> h = new Handoff<>();
    h.reader =
        new Thread(
            () -> {
              R result = null;
              Throwable failure = null;
              try {
                result = reading.apply(h);
              } catch (Throwable t) { // handed over, rethrown on the detection's side
                failure = t;
              }
              h.finish(result, failure);
            },
            name);
    h.reader.setDaemon(true);
    h.reader.start();
    return h;
  }

  /** True once the detection's side gave up: the reader should stop. */
  boolean abandoned() {
    return abandoned;
  }

  @Override
  public void observation(ArpObservation o) {
    String segment = o.segmentName();
    add(
        segment == null ? key(o.subjectIp()) : Segments.key(o.subjectIp(), segment),
        o,
        o.eventTime().toEpochMilli());
  }

  @Override
  public void heartbeat(Heartbeat h) {
    add(h.sensorId(), h, h.eventTime().toEpochMilli());
  }

  @Override
  public void at(long packets, long bytes) {
    add(null, new Progressed(packets, bytes), 0);
  }

  @Override
  public void close() {}

  private String key(IpAddress ip) {
    String key = keys.get(ip);
    if (key == null) {
      if (keys.size() >= KEYS) {
        keys.clear(); // (a capture of very many addresses: the cost of a format each, as before)
      }
      key = ip.toString();
      keys.put(ip, key);
    }
    return key;
  }

  private void add(String key, Object value, long timestamp) {
    Batch b = current;
    b.keys[b.size] = key;
    b.values[b.size] = value;
    b.timestamps[b.size] = timestamp;
    if (++b.size == BATCH) {
      send(b);
      current = new Batch();
    }
  }

  private void finish(Object result, Throwable failure) {
    Batch b = current;
    b.last = true;
    b.result = result;
    b.failure = failure;
    send(b);
    current = null;
  }

  private void send(Batch b) {
    try {
      while (!queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
        if (abandoned) {
          return; // nobody takes it any more
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandoned = true;
    }
  }

  /**
   * Runs {@code sink} over everything the reader hands over, in order, on this thread, until the
   * reader is done; returns what it returned. A failure of the reader is rethrown here; a failure
   * of the sink stops the reader and is rethrown.
   */
  @SuppressWarnings("unchecked")
  R drainInto(Sink sink) {
    try {
      while (true) {
        Batch b = queue.take();
        for (int i = 0; i < b.size; i++) {
          Object v = b.values[i];
          if (v instanceof ArpObservation o) {
            sink.observation(b.keys[i], o, b.timestamps[i]);
          } else if (v instanceof Heartbeat h) {
            sink.heartbeat(b.keys[i], h, b.timestamps[i]);
          } else {
            Progressed p = (Progressed) v;
            sink.progress(p.packets, p.bytes);
          }
        }
        if (b.last) {
          if (b.failure instanceof RuntimeException e) {
            throw e;
          } else if (b.failure instanceof Error e) {
            throw e;
          } else if (b.failure != null) {
            throw new IllegalStateException(b.failure);
          }
          return (R) b.result;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon();
      throw new IllegalStateException("interrupted while analysing", e);
    } catch (RuntimeException | Error e) {
      abandon();
      throw e;
    }
  }

  /** Gives up: the reader stops at its next packet, and nothing it still sends is waited for. */
  void abandon() {
    abandoned = true;
    queue.clear();
  }
}
