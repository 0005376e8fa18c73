package io.labwatch.producers.arp;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.function.LongSupplier;

/**
 * The ARP requests this sensor sent on one interface in the last few seconds, so that its capture —
 * which sees outgoing frames too — does not publish them as observations. A sensor's RFC 5227 probe
 * (sender 0.0.0.0) would otherwise read as "a device probing for an address in use", and its
 * ordinary requests as its own address claims. A captured frame is the sensor's own only when its
 * Ethernet and ARP bytes equal those of a frame it sent within {@link #WINDOW_NANOS}: a device that
 * forges the sensor's MAC but asks anything else is still published.
 *
 * <p>Written by the sending threads, read by the capture thread.
 */
final class OwnFrames {

  /** How long a sent frame is remembered: its copy comes back in microseconds, not seconds. */
  static final long WINDOW_NANOS = 5_000_000_000L;

  /** Ethernet header and an Ethernet/IPv4 ARP body; padding is not compared. */
  static final int COMPARED = 42;

  /** More frames than this within the window (a flood of sends) forget the oldest. */
  static final int MAX_REMEMBERED = 1024;

  private record Sent(byte[] head, long atNanos) {}

  private final ArrayDeque<Sent> sent = new ArrayDeque<>();
  private final LongSupplier nanoTime;

  OwnFrames(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  OwnFrames() {
    this(System::nanoTime);
  }

  /** Remembers a frame about to be sent. */
  synchronized void sending(byte[] frame) {
    long now = nanoTime.getAsLong();
    expire(now);
    if (sent.size() >= MAX_REMEMBERED) {
      sent.removeFirst();
    }
    sent.addLast(new Sent(Arrays.copyOf(frame, COMPARED), now));
  }

  /** Whether the first {@code length} bytes of {@code frame} are a copy of a frame sent lately. */
  synchronized boolean isOwn(byte[] frame, int length) {
    if (sent.isEmpty() || Math.min(length, frame.length) < COMPARED) {
      return false;
    }
    expire(nanoTime.getAsLong());
    for (Iterator<Sent> it = sent.descendingIterator(); it.hasNext(); ) {
      byte[] head = it.next().head();
      if (Arrays.equals(head, 0, COMPARED, frame, 0, COMPARED)) {
        return true;
      }
    }
    return false;
  }

  private void expire(long now) {
    while (!sent.isEmpty() && now - sent.peekFirst().atNanos() > WINDOW_NANOS) {
      sent.removeFirst();
    }
  }
}
