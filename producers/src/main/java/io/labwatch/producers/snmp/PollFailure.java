package io.labwatch.producers.snmp;

/**
 * Why a device could not be polled, in one line a person can act on: no answer, a refusal (wrong
 * community, unknown user, wrong keys), an error status, or an answer that makes no sense. It never
 * carries a community or a passphrase.
 */
final class PollFailure extends Exception {

  private static final long serialVersionUID = 1L;

  /** What kind of failure: {@link #GARBAGE} is an answer that broke the protocol or the MIB. */
  enum Kind {
    TIMEOUT,
    REFUSED,
    ERROR_STATUS,
    GARBAGE,
    LOCAL
  }

  private final Kind kind;

  PollFailure(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  Kind kind() {
    return kind;
  }
}
