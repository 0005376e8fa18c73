package io.labwatch.sinks.slack;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.Silence;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the Slack sink keeps quiet about, and when to speak again.
 *
 * <p>An alert record (FIRING, an update, RESOLVED, an event) that an active silence matches is held
 * back. When no silence matches an incident any more — its silence reached its end, or was ended
 * early, or was deleted — while the incident still fires, it is announced <em>once</em> more, as
 * firing, saying that its silence ended; had the channel been quiet about it all along, it would
 * not know. An incident that resolves while silenced is never announced again.
 *
 * <p>Time is the wall clock, read when the sink handles an alert, not the alert's event time: a
 * silence is "for 2 h from now", and an alert that waited in Kafka while Slack was down is held
 * back if a silence matches it when it would go out — as Alertmanager decides at notification time.
 *
 * <p>Not thread-safe: the sink's one thread calls it; the silences it reads may change under it.
 */
final class SilenceGate {

  /**
   * An incident to announce again: {@code alert} its latest record, {@code silence} the one over.
   */
  record Ended(Alert alert, Silence silence) {}

  private final Supplier<? extends Collection<Silence>> silences;
  private final Clock clock;

  /** Fingerprint → the latest record of each incident firing now (of those the sink delivers). */
  private final Map<String, Alert> firing = new LinkedHashMap<>();

  /** Fingerprint → the silence over a firing incident when last looked at. */
  private final Map<String, Silence> silenced = new HashMap<>();

  SilenceGate(Supplier<? extends Collection<Silence>> silences, Clock clock) {
    this.silences = silences;
    this.clock = clock;
  }

  /**
   * The incidents as they are when the sink starts (the alerts topic's latest record of each), so
   * that one silenced before a restart is still announced when its silence ends after it.
   */
  void seed(Collection<Alert> latest) {
    for (Alert a : latest) {
      if (fires(a)) {
        firing.put(a.fingerprint(), a);
      }
    }
    ended(); // notes which of them a silence is over now
  }

  /** The silence that holds {@code a} back now, or null: then it goes out. */
  Silence hold(Alert a) {
    String fp = a.fingerprint();
    if (fires(a)) {
      firing.put(fp, a);
    } else {
      firing.remove(fp);
    }
    Silence over = active(a).orElse(null);
    if (over != null && firing.containsKey(fp)) {
      silenced.put(fp, over);
    } else {
      // resolved, or going out now: either way nothing is owed later
      silenced.remove(fp);
    }
    return over;
  }

  /**
   * The firing incidents whose silence has ended since the last call, each once; notes those that a
   * silence is over now.
   */
  List<Ended> ended() {
    Collection<Silence> all = silences.get();
    Instant now = clock.instant();
    List<Ended> out = new ArrayList<>();
    for (Alert a : firing.values()) {
      Optional<Silence> over = Silence.silencing(all, a.kind(), a.subject(), now);
      if (over.isPresent()) {
        silenced.put(a.fingerprint(), over.get());
        continue;
      }
      Silence was = silenced.remove(a.fingerprint());
      if (was != null) {
        // the silence as it is now (ended early: its new end), unless it was deleted
        Silence latest = all.stream().filter(s -> s.id().equals(was.id())).findFirst().orElse(was);
        out.add(new Ended(a, latest));
      }
    }
    return out;
  }

  private Optional<Silence> active(Alert a) {
    return Silence.silencing(silences.get(), a.kind(), a.subject(), clock.instant());
  }

  private static boolean fires(Alert a) {
    return a.state() == AlertState.FIRING && !a.isEvent();
  }
}
