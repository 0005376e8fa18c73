package io.labwatch.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The help texts: one topic per {@link AlertKinds alert kind} (what fires and resolves it) and a
 * few general ones, each a README section. Read by {@code labwatch help TOPIC} and served by the
 * Prometheus exporter at {@code /help/TOPIC} (the alerting rules' {@code runbook_url}). The texts
 * are resources beside this class ({@code help/ip-conflict.txt}); {@code HelpTopicsReadmeTest}
 * holds them to README.
 */
public final class HelpTopics {

  /** The topics that are not alert kinds, each a README section. */
  public static final List<String> GENERAL = List.of("config", "metrics", "service", "silences");

  private HelpTopics() {}

  /** Every topic: the alert kinds (sorted), then the general ones. */
  public static List<String> names() {
    List<String> names = new ArrayList<>(AlertKinds.names());
    names.addAll(GENERAL);
    return List.copyOf(names);
  }

  /**
   * The topic {@code name} means, case-insensitively and with {@code -} for {@code _} ({@code
   * ip-conflict} is {@code IP_CONFLICT}); empty when it names none.
   */
  public static Optional<String> topic(String name) {
    String kind = name.toUpperCase(Locale.ROOT).replace('-', '_');
    if (AlertKinds.names().contains(kind)) {
      return Optional.of(kind);
    }
    String general = name.toLowerCase(Locale.ROOT);
    return GENERAL.contains(general) ? Optional.of(general) : Optional.empty();
  }

  /** The text of the topic {@code name} means; empty when it names none. */
  public static Optional<String> text(String name) {
    return topic(name).map(HelpTopics::read);
  }

  private static String read(String topic) {
    String file = "help/" + topic.toLowerCase(Locale.ROOT).replace('_', '-') + ".txt";
    try (InputStream in = HelpTopics.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("help topic " + topic + ": no resource " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
