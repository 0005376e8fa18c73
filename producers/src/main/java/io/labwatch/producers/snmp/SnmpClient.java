package io.labwatch.producers.snmp;

import org.snmp4j.PDU;

/** One device's end of the protocol: sends a request, returns the answer. */
interface SnmpClient {

  /** A new, empty request of the device's version (a scoped PDU for v3). */
  PDU newPdu();

  /**
   * Sends {@code request} and waits for the answer (retries and timeouts included).
   *
   * @return the response, never null and never a report
   * @throws PollFailure when there is no answer, or the agent refused the request
   */
  PDU send(PDU request) throws PollFailure;

  /** Responses received from the device so far (a heartbeat's count). */
  default long responses() {
    return 0;
  }
}
