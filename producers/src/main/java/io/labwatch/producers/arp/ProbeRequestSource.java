package io.labwatch.producers.arp;

import io.labwatch.events.ProbeRequest;
import java.util.function.Consumer;

/**
 * Where a live ARP sensor's confirmation requests come from: {@code labwatch.probe-requests}
 * ({@link ProbeRequestReader}), or a test.
 */
@FunctionalInterface
public interface ProbeRequestSource {

  /** Starts handing requests to {@code handler}, from a thread of its own, until closed. */
  Subscription subscribe(Consumer<ProbeRequest> handler);

  /** A running subscription. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
