package io.labwatch.producers.arp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * How many frames a parser turned into observations, and how many it skipped, by reason. Written by
 * the capture thread, read by the heartbeat and summary code.
 */
public final class ParseStats {

  private final LongAdder parsed = new LongAdder();
  private final LongAdder[] skipped = new LongAdder[SkipReason.values().length];

  public ParseStats() {
    for (int i = 0; i < skipped.length; i++) {
      skipped[i] = new LongAdder();
    }
  }

  void parsed() {
    parsed.increment();
  }

  /** Moves a frame the parser counted as parsed to the skipped ones (a check after parsing). */
  void skippedAfterParse(SkipReason reason) {
    parsed.decrement();
    skipped(reason);
  }

  /** Counts a frame skipped before any parser saw it (e.g. of an unsupported link type). */
  public void skipped(SkipReason reason) {
    skipped[reason.ordinal()].increment();
  }

  /** Counts {@code n} frames skipped for {@code reason}. */
  public void skipped(SkipReason reason, long n) {
    skipped[reason.ordinal()].add(n);
  }

  public long parsedCount() {
    return parsed.sum();
  }

  public long skippedCount() {
    long n = 0;
    for (LongAdder a : skipped) {
      n += a.sum();
    }
    return n;
  }

  public long skippedCount(SkipReason reason) {
    return skipped[reason.ordinal()].sum();
  }

  /** The reasons with a non-zero count, in declaration order. */
  public Map<SkipReason, Long> skippedByReason() {
    Map<SkipReason, Long> out = new EnumMap<>(SkipReason.class);
    for (SkipReason r : SkipReason.values()) {
      long n = skippedCount(r);
      if (n > 0) {
        out.put(r, n);
      }
    }
    return out;
  }

  /** E.g. "skipped 34 (not ARP or neighbour discovery: 30, truncated: 4)". */
  public String describeSkipped() {
    Map<SkipReason, Long> by = skippedByReason();
    if (by.isEmpty()) {
      return "skipped 0";
    }
    return "skipped "
        + skippedCount()
        + " ("
        + by.entrySet().stream()
            .map(e -> e.getKey().description() + ": " + e.getValue())
            .collect(Collectors.joining(", "))
        + ")";
  }
}
