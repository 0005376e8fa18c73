package io.labwatch.app.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each key of a config file is (its line), and a key written twice refused: YAML parsers keep
 * the last of two equal keys without a word, so a setting that "does nothing" would be the first
 * one, silently overridden further down.
 */
final class KeyLines {

  private static final YAMLFactory YAML = new YAMLFactory();

  private final Path file;
  private final Map<String, Integer> lines;

  private KeyLines(Path file, Map<String, Integer> lines) {
    this.file = file;
    this.lines = lines;
  }

  /** Scans {@code bytes} (already parsed once: valid YAML). */
  static KeyLines scan(Path file, byte[] bytes) {
    Map<String, Integer> first = new HashMap<>();
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = YAML.createParser(bytes)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t != JsonToken.FIELD_NAME) {
          continue;
        }
        String path = path(p.getParsingContext());
        int line = p.currentTokenLocation().getLineNr();
        Integer earlier = first.putIfAbsent(path, line);
        if (earlier != null) {
          throw new ConfigException(
              file
                  + ":"
                  + line
                  + ": "
                  + path
                  + " is set twice (first at line "
                  + earlier
                  + "): only the last would count; keep one");
        }
        lines.putIfAbsent(path.replaceAll("\\[\\d+]", ""), line);
      }
    } catch (IOException e) {
      // (the tree parse said what is wrong with the file; no lines then)
      return new KeyLines(file, Map.of());
    }
    return new KeyLines(file, lines);
  }

  /** "FILE:LINE" for a key set in the file (its nearest section's line), else "FILE". */
  String at(String key) {
    String k = key.replaceAll("\\[\\d+]", "");
    Integer line = lines.get(k);
    while (line == null && k.lastIndexOf('.') > 0) {
      k = k.substring(0, k.lastIndexOf('.'));
      line = lines.get(k);
    }
    return line == null ? file.toString() : file + ":" + line;
  }

  private static String path(JsonStreamContext context) {
    Deque<JsonStreamContext> chain = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      chain.addFirst(c);
    }
    StringBuilder path = new StringBuilder();
    for (JsonStreamContext c : chain) {
      if (c.inObject()) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(c.getCurrentName());
      } else {
        path.append('[').append(c.getCurrentIndex()).append(']');
      }
    }
    return path.toString();
  }
}
