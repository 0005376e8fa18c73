package io.labwatch.events;

/**
 * Something labwatch cannot do, said in one line a user can act on (which port, which directory,
 * which address, which package to install). Every module throws it for such conditions; the command
 * line prints the message without a stack trace and exits non-zero.
 */
public class LabwatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LabwatchException(String message) {
    super(message);
  }

  public LabwatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
