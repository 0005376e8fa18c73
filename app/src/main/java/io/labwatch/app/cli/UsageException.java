package io.labwatch.app.cli;

/**
 * A command line that asks for something that cannot be: an unknown alert kind, a duration that is
 * not one, a silence id that does not exist. One line on stderr and exit status 2, as picocli's own
 * usage errors, found where picocli cannot see them: in what a value means, not in its form.
 */
final class UsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
