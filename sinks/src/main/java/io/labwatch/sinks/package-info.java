/**
 * Sinks: consumers of the alerts topic that deliver alerts — {@code slack/}, {@code prometheus/}.
 * They render; they never decide.
 */
package io.labwatch.sinks;
