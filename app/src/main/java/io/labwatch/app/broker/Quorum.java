package io.labwatch.app.broker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;

/**
 * Which KRaft cluster a {@code labwatch broker} belongs to: this node's id and the cluster's
 * controller voters. Every node is broker and controller at once (KRaft's combined mode), so a
 * cluster of three is three {@code labwatch broker} processes, each with its own {@code --node-id}
 * and the same {@code --voters}: {@code 1@host1:9093,2@host2:9093,3@host3:9093} (the controller
 * port of each; clients use {@code broker.port}). Alone — no voters — the node is a cluster of one,
 * its controller on a free port of 127.0.0.1, as {@code labwatch run} starts it.
 *
 * @param nodeId this node's id, one of the voters'
 * @param voters the controllers, in order; empty: this node alone
 * @param clusterId the cluster's id, the same on every node; empty: derived from the voters (the
 *     same list gives the same id on every node), or a random one for a node alone
 */
public record Quorum(int nodeId, List<Voter> voters, String clusterId) {

  /** One controller: {@code id@host:port}. */
  public record Voter(int id, String host, int port) {
    @Override
    public String toString() {
      return id + "@" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** A node alone, as {@code labwatch run} starts its broker. */
  public static final Quorum ALONE = new Quorum(1, List.of(), "");

  private static final Pattern VOTER =
      Pattern.compile("(\\d+)@(\\[[0-9A-Fa-f:.]+\\]|[^:@\\s\\[\\]]+):(\\d+)");

  public Quorum {
    voters = List.copyOf(voters);
    clusterId = clusterId == null ? "" : clusterId.strip();
    if (nodeId < 1) {
      throw new IllegalArgumentException("nodeId: must be >= 1, got " + nodeId);
    }
    Set<Integer> ids = new HashSet<>();
    for (Voter v : voters) {
      if (!ids.add(v.id())) {
        throw new IllegalArgumentException("voters: node " + v.id() + " is listed twice");
      }
    }
    if (!voters.isEmpty() && !ids.contains(nodeId)) {
      throw new IllegalArgumentException(
          "voters: this node (nodeId " + nodeId + ") is not one of them: " + text(voters));
    }
    if (!clusterId.isEmpty()) {
      try {
        Uuid.fromString(clusterId);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "clusterId: '" + clusterId + "' is not a Kafka cluster id (22 base64 characters)", e);
      }
    }
  }

  /**
   * Parses {@code 1@host1:9093,2@host2:9093,...}; blank: none.
   *
   * @throws IllegalArgumentException naming the entry that is not {@code id@host:port}
   */
  public static List<Voter> parse(String text) {
    List<Voter> out = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String entry : text.split(",")) {
      Matcher m = VOTER.matcher(entry.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "voters: '" + entry.strip() + "' is not ID@HOST:PORT (e.g. 1@10.0.0.1:9093)");
      }
      String host = m.group(2).replace("[", "").replace("]", "");
      int port = Integer.parseInt(m.group(3));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "voters: '" + entry.strip() + "': port must be 1..65535");
      }
      out.add(new Voter(Integer.parseInt(m.group(1)), host, port));
    }
    return out;
  }

  public static String text(List<Voter> voters) {
    return String.join(",", voters.stream().map(Voter::toString).toList());
  }

  /** Whether this node is one of several. */
  public boolean clustered() {
    return voters.size() > 1;
  }

  /** This node's own controller entry; empty for a node alone. */
  public Voter self() {
    return voters.stream().filter(v -> v.id() == nodeId).findFirst().orElseThrow();
  }

  /**
   * Replicas of Kafka's internal topics (offsets, transactions) and of new topics by default: one
   * per node up to three.
   */
  public int replicationFactor() {
    return Math.max(1, Math.min(3, voters.size()));
  }

  /** The cluster id to format a new node with. */
  public String clusterIdToFormat() {
    if (!clusterId.isEmpty()) {
      return clusterId;
    }
    if (voters.isEmpty()) {
      return Uuid.randomUuid().toString();
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(("labwatch:" + text(voters)).getBytes(StandardCharsets.UTF_8));
      ByteBuffer b = ByteBuffer.wrap(digest);
      return new Uuid(b.getLong(), b.getLong()).toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
