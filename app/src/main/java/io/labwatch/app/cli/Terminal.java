package io.labwatch.app.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Whether labwatch's output goes to a terminal: what is drawn or said only for a person watching
 * (progress bars, the start-up line) is left out of pipes, files and the journal.
 */
final class Terminal {

  private Terminal() {}

  /** isatty(3) through libc. */
  private interface LibC extends Library {
    int isatty(int fd);
  }

  /** Whether standard output is a terminal (Linux and macOS; false where it cannot be told). */
  static boolean stdout() {
    return isatty(1);
  }

  /** Whether standard error is a terminal (Linux and macOS; false where it cannot be told). */
  static boolean stderr() {
    return isatty(2);
  }

  private static boolean isatty(int fd) {
    if (!(Platform.isLinux() || Platform.isMac())) {
      return false;
    }
    try {
      return Native.load(Platform.C_LIBRARY_NAME, LibC.class).isatty(fd) == 1;
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }
}
