package io.labwatch.producers.arp;

/**
 * What a sensor did with the confirmation requests it received, since it started.
 *
 * @param requests requests received
 * @param runs probe runs started (ARP requests sent for an IP, twice, a second apart)
 * @param rateLimited requests skipped by the rate limits (one run per IP per interval, runs per
 *     second, runs at once)
 * @param skipped requests skipped otherwise: too old, for another network or the interface's own
 *     address, or probing stopped after a failure
 * @param failed runs in which an ARP request could not be sent
 */
public record ProbeCounts(long requests, long runs, long rateLimited, long skipped, long failed) {

  public static final ProbeCounts NONE = new ProbeCounts(0, 0, 0, 0, 0);

  /** E.g. "3 probe runs for 5 requests (1 rate-limited, 1 skipped, 0 failed)". */
  public String describe() {
    return runs
        + " probe run"
        + (runs == 1 ? "" : "s")
        + " for "
        + requests
        + " request"
        + (requests == 1 ? "" : "s")
        + " ("
        + rateLimited
        + " rate-limited, "
        + skipped
        + " skipped, "
        + failed
        + " failed)";
  }
}
