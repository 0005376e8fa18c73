package io.labwatch.app.config;

import java.nio.file.Path;

/** Paths as people write them in config files and flags. */
public final class Paths {

  private Paths() {}

  /** {@code ~} and {@code ~/x} are the user's home; everything else is as given. */
  public static Path expand(String text) {
    String s = text.trim();
    if (s.equals("~") || s.startsWith("~/")) {
      return Path.of(System.getProperty("user.home") + s.substring(1)).normalize();
    }
    return Path.of(s);
  }
}
