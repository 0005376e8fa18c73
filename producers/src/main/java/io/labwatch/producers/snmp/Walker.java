package io.labwatch.producers.snmp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
   *     of the columns asked for; a column the row lacks is null. Rows in index order.
   * @param nonRepeater the value of the non-repeater asked for with the first request, or null
   * @param requests how many requests the walk took
   */
  record Table(Map<OID, Variable[]> rows, Variable nonRepeater, int requests) {}

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
    // Rows in a hash map in the order they were found: a walk finds them in index order (each
    // column's OIDs ascend), so they are re-sorted only when a later column had a row an earlier
    // one lacked. A sorted map compared OIDs some twenty times per value: a tenth of a poll's CPU
    // on a big table.
    Map<OID, Variable[]> rows = new LinkedHashMap<>();
    OID lastRow = null;
    boolean sorted = true;
    // The rows again as lists, and each column's place in them: the next value of a column is
    // nearly always for the row after its previous one, which is then found by comparing the OID
    // in place, without making its index or hashing it (most values of a wide table).
    List<OID> indexes = new ArrayList<>();
    List<Variable[]> found = new ArrayList<>();
    int[] cursor = new int[n];
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
        return new Table(sorted ? rows : inOrder(rows), nonRepeaterValue, requests);
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
        int at = cursor[col];
        Variable[] row;
        if (at < indexes.size() && isIndex(oid, column.size(), indexes.get(at))) {
          row = found.get(at);
        } else {
          OID index = new OID(oid.getValue(), column.size(), oid.size() - column.size());
          boolean after = lastRow == null || index.compareTo(lastRow) > 0;
          row = sorted && after ? null : rows.get(index);
          if (row == null) {
            if (rows.size() >= maxRows) {
              throw garbage("more than " + maxRows + " rows under " + column);
            }
            row = new Variable[n];
            rows.put(index, row);
            sorted = sorted && after;
            lastRow = index;
            indexes.add(index);
            found.add(row);
            at = indexes.size() - 1;
          } else {
            // a row another column found first: go on from there (while in order, it can be found)
            at = sorted ? Collections.binarySearch(indexes, index) : -1;
          }
        }
        cursor[col] = at + 1;
        row[col] = vb.getVariable();
      }
      if (!progressed && a > 0) {
        throw garbage("an answer to a GETBULK that moves no column on");
      }
    }
  }

  /**
   * Whether {@code oid} is a column's OID (of {@code prefix} numbers) followed by {@code index}.
   */
  private static boolean isIndex(OID oid, int prefix, OID index) {
    int size = index.size();
    if (oid.size() - prefix != size) {
      return false;
    }
    for (int i = 0; i < size; i++) {
      if (oid.get(prefix + i) != index.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** The rows in index order. */
  private static Map<OID, Variable[]> inOrder(Map<OID, Variable[]> rows) {
    Map<OID, Variable[]> out = new LinkedHashMap<>(rows.size() * 2);
    new TreeMap<>(rows).forEach(out::put);
    return out;
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
