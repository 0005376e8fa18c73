package io.labwatch.app.cli;

import picocli.CommandLine.ExitCode;

/**
 * labwatch's exit codes as {@code --help} lists them ({@code exitCodeList} entries, {@code
 * CODE:meaning}). The codes are picocli's {@link ExitCode}s, and 3 for {@code labwatch status}.
 */
final class ExitCodes {

  /** Exit code when something needs a look: an incident fires, or a sensor is silent. */
  static final int ATTENTION = 3;

  static final String HEADING = "%nExit codes:%n";
  static final String DONE = ExitCode.OK + ":done";
  static final String ALL_WELL = ExitCode.OK + ":all is well";
  static final String FAILED = ExitCode.SOFTWARE + ":failed (one line on stderr says why)";
  static final String PCAP_UNDELIVERED =
      ExitCode.SOFTWARE
          + ":failed; with --pcap also when the file was not replayed whole: records not delivered,"
          + " damage nothing after could be read, or stopped early (the summary says which)";
  static final String CAPTURE_INCOMPLETE =
      ExitCode.SOFTWARE
          + ":failed, or the capture was not read whole: damage nothing after could be read (the"
          + " summary gives its offset)";
  static final String SNMP_ONCE_FAILED =
      ExitCode.SOFTWARE
          + ":failed; with --once also when a device did not answer or answered with a problem"
          + " (its line on stderr says which)";
  static final String USAGE = ExitCode.USAGE + ":bad usage or configuration";
  static final String NEEDS_A_LOOK =
      ATTENTION
          + ":something needs a look: an incident fires (and no silence covers it), a sensor is"
          + " silent or reports a problem, or no sensor has been heard from";

  static final String STATUS_NEEDS_A_LOOK = ATTENTION + ":labwatch status: something needs a look";

  // the JVM's, for commands that run until stopped: 128 + the signal's number
  static final String INTERRUPTED = "130:stopped by Ctrl-C";
  static final String TERMINATED = "143:stopped by SIGTERM";

  private ExitCodes() {}
}
