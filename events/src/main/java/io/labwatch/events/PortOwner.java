package io.labwatch.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who listens on a TCP port, from Linux's {@code /proc}: so that "port in use" can say by whom.
 * Finds nothing (rather than failing) where /proc is absent or another user's process is hidden.
 */
public final class PortOwner {

  private static final Path PROC = Path.of("/proc");
  private static final String LISTEN = "0A";

  private PortOwner() {}

  /** E.g. {@code pid 4711 (java)}, if it can be found out. */
  public static Optional<String> describe(int port) {
    try {
      Optional<Long> inode = listeningInode(port);
      if (inode.isEmpty()) {
        return Optional.empty();
      }
      String socket = "socket:[" + inode.get() + "]";
      try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, "[0-9]*")) {
        for (Path proc : procs) {
          if (holds(proc, socket)) {
            return Optional.of("pid " + proc.getFileName() + " (" + commandLine(proc) + ")");
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static Optional<Long> listeningInode(int port) throws IOException {
    String hexPort = String.format(Locale.ROOT, "%04X", port);
    for (String table : List.of("net/tcp", "net/tcp6")) {
      Path file = PROC.resolve(table);
      if (!Files.isReadable(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length > 9 && f[1].endsWith(":" + hexPort) && f[3].equals(LISTEN)) {
          return Optional.of(Long.parseLong(f[9]));
        }
      }
    }
    return Optional.empty();
  }

  private static boolean holds(Path proc, String socket) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals(socket)) {
            return true;
          }
        } catch (IOException e) {
          // the fd closed meanwhile
        }
      }
    } catch (IOException | SecurityException e) {
      // another user's process: not ours to look into
    }
    return false;
  }

  /** The process name only: a command line can carry another program's secrets. */
  private static String commandLine(Path proc) {
    try {
      return Files.readString(proc.resolve("comm"), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "name unknown";
    }
  }
}
