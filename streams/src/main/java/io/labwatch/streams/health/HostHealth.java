package io.labwatch.streams.health;

import io.labwatch.events.IpAddress;
import java.time.Instant;
import java.util.List;

/**
 * What one host's latest sample says of its load, for the incidents of its addresses: "not the
 * load: CPU 12 %, load 0.4, GPU 3 % — normal for this host", or the spikes that are firing.
 *
 * @param host the host's name (its host sensor's id)
 * @param at the sample's time
 * @param cpu CPU busy share (0..1); null when not known
 * @param load the 1-minute load average; null when not known
 * @param gpu the busiest GPU's utilisation (0..1); null when the host has no GPU
 * @param warm whether its baselines have been learned long enough to call the load normal
 * @param spikes the load spikes firing on it, as their alerts' summaries
 * @param errors the interface errors firing on it, as their alerts' summaries
 * @param addresses the host's own addresses
 */
public record HostHealth(
    String host,
    Instant at,
    Double cpu,
    Double load,
    Double gpu,
    boolean warm,
    List<String> spikes,
    List<String> errors,
    List<IpAddress> addresses) {

  public HostHealth {
    spikes = spikes == null ? List.of() : List.copyOf(spikes);
    errors = errors == null ? List.of() : List.copyOf(errors);
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
  }

  /** "CPU 12 %, load 0.4, GPU 3 %" — what is known of it. */
  public String numbers() {
    StringBuilder sb = new StringBuilder();
    if (cpu != null) {
      sb.append("CPU ").append(Texts.percent(cpu));
    }
    if (load != null) {
      sb.append(sb.length() == 0 ? "" : ", ").append("load ").append(Texts.number(load));
    }
    if (gpu != null) {
      sb.append(sb.length() == 0 ? "" : ", ").append("GPU ").append(Texts.percent(gpu));
    }
    return sb.toString();
  }
}
