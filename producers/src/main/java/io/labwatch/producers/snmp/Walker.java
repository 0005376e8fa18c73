package io.labwatch.producers.snmp;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.snmp4j.PDU;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * Walks the columns of one table with GETBULK, all columns in each request, and gathers the values
 * by row index. An agent's answer is not trusted: an OID that does not move forward, a response
 * without any progress, more rows than {@link #MAX_ROWS} — each ends the walk with a {@link
 * PollFailure} of kind GARBAGE instead of a loop or an unbounded table. {@code tooBig} halves the
 * repetitions and asks again.
 */
final class Walker {

  /** A table bigger than this is refused: no router has a million ARP entries. */
  static final int MAX_ROWS = 500_000;

  /** At most this many requests per walk (a bound even on an agent that trickles one row). */
  static final int MAX_REQUESTS = 200_000;

  private Walker() {}

  /**
   * What a walk found.
   *
   * @param rows each row's index (the OID after the column) and its value per column, in the order
   *     of the columns asked for; a column the row lacks is null
   * @param nonRepeater the value of the non-repeater asked for with the first request, or null
   * @param requests how many requests the walk took
   */
  record Table(TreeMap<OID, Variable[]> rows, Variable nonRepeater, int requests) {}

  /**
   * @param columns the column OIDs (entry.column)
   * @param nonRepeater an OID whose successor comes along with the first request (e.g. {@code
   *     sysUpTime} for {@code sysUpTime.0}), or null
   * @param maxRepetitions GETBULK max-repetitions
   */
  static Table walk(SnmpClient client, List<OID> columns, OID nonRepeater, int maxRepetitions)
      throws PollFailure {
    return walk(client, columns, nonRepeater, maxRepetitions, MAX_ROWS);
  }

  /** A walk that refuses more than {@code maxRows} rows. */
  static Table walk(
      SnmpClient client, List<OID> columns, OID nonRepeater, int maxRepetitions, int maxRows)
      throws PollFailure {
    int n = columns.size();
    OID[] last = new OID[n];
    boolean[] done = new boolean[n];
    for (int i = 0; i < n; i++) {
      last[i] = columns.get(i);
    }
    TreeMap<OID, Variable[]> rows = new TreeMap<>();
    Variable nonRepeaterValue = null;
    boolean askNonRepeater = nonRepeater != null;
    int repetitions = Math.max(1, maxRepetitions);
    int requests = 0;
    while (true) {
      List<Integer> active = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!done[i]) {
          active.add(i);
        }
      }
      if (active.isEmpty() && !askNonRepeater) {
        return new Table(rows, nonRepeaterValue, requests);
      }
      if (++requests > MAX_REQUESTS) {
        throw garbage("the table does not end after " + MAX_REQUESTS + " requests");
      }
      PDU request = client.newPdu();
      request.setType(PDU.GETBULK);
      if (askNonRepeater) {
        request.add(new VariableBinding(nonRepeater));
      }
      for (int i : active) {
        request.add(new VariableBinding(last[i]));
      }
      request.setNonRepeaters(askNonRepeater ? 1 : 0);
      request.setMaxRepetitions(active.isEmpty() ? 0 : repetitions);
      PDU response = client.send(request);
      if (response.getErrorStatus() != PDU.noError) {
        if (response.getErrorStatus() == PDU.tooBig && repetitions > 1) {
          repetitions = Math.max(1, repetitions / 2);
          continue;
        }
        throw new PollFailure(
            PollFailure.Kind.ERROR_STATUS,
            "the agent answered "
                + errorText(response.getErrorStatus())
                + " (error "
                + response.getErrorStatus()
                + ") to a GETBULK of "
                + columns.get(active.isEmpty() ? 0 : active.get(0)));
      }
      List<? extends VariableBinding> vbs = response.getVariableBindings();
      int pos = 0;
      if (askNonRepeater) {
        if (vbs.isEmpty()) {
          throw garbage("an empty answer to a GETBULK");
        }
        VariableBinding vb = vbs.get(0);
        if (vb != null
            && vb.getOid() != null
            && !vb.isException()
            && vb.getOid().startsWith(nonRepeater)) {
          nonRepeaterValue = vb.getVariable();
        }
        askNonRepeater = false;
        pos = 1;
      }
      boolean progressed = false;
      int a = active.size();
      for (int k = 0; pos + k < vbs.size() && a > 0; k++) {
        int col = active.get(k % a);
        if (done[col]) {
          continue;
        }
        VariableBinding vb = vbs.get(pos + k);
        OID column = columns.get(col);
        OID oid = vb == null ? null : vb.getOid();
        if (oid == null
            || vb.isException()
            || oid.size() <= column.size()
            || !oid.startsWith(column)) {
          done[col] = true; // the end of the column (the next column, or endOfMibView)
          progressed = true;
          continue;
        }
        if (oid.compareTo(last[col]) <= 0) {
          throw garbage(
              "OIDs out of order: " + oid + " came after " + last[col] + " (the walk would loop)");
        }
        last[col] = oid;
        progressed = true;
        OID index = new OID(oid.getValue(), column.size(), oid.size() - column.size());
        Variable[] row = rows.get(index);
        if (row == null) {
          if (rows.size() >= maxRows) {
            throw garbage("more than " + maxRows + " rows under " + column);
          }
          row = new Variable[n];
          rows.put(index, row);
        }
        row[col] = vb.getVariable();
      }
      if (!progressed && a > 0) {
        throw garbage("an answer to a GETBULK that moves no column on");
      }
    }
  }

  private static PollFailure garbage(String why) {
    return new PollFailure(PollFailure.Kind.GARBAGE, "nonsense from the agent: " + why);
  }

  /** RFC 3416's error-status names. */
  static String errorText(int status) {
    return switch (status) {
      case 1 -> "tooBig";
      case 2 -> "noSuchName";
      case 3 -> "badValue";
      case 4 -> "readOnly";
      case 5 -> "genErr";
      case 6 -> "noAccess";
      case 16 -> "authorizationError";
      default -> "error-status " + status;
    };
  }
}
