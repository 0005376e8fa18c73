package io.labwatch.app.kafka;

import io.labwatch.app.config.ConfigException;
import io.labwatch.events.LabwatchException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.IllegalSaslStateException;

/**
 * Connecting to Kafka with errors a person can act on: "nothing listens at 127.0.0.1:1" instead of
 * a client retrying in silence.
 */
public final class KafkaAccess {

  /** How long a command waits for a broker that does not answer. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

  private KafkaAccess() {}

  /**
   * Fails fast, in one line, when no address in {@code bootstrap} is a {@code host:port} that
   * accepts a TCP connection.
   */
  public static void checkReachable(String bootstrap) {
    List<String> problems = new ArrayList<>();
    for (String entry : bootstrap.split(",")) {
      String address = entry.trim();
      if (address.isEmpty()) {
        continue;
      }
      InetSocketAddress socketAddress = parse(address, bootstrap);
      if (socketAddress.isUnresolved()) {
        problems.add(address + ": unknown host");
        continue;
      }
      try (Socket socket = new Socket()) {
        socket.connect(socketAddress, 3000);
        return;
      } catch (ConnectException e) {
        problems.add(address + ": connection refused");
      } catch (SocketTimeoutException e) {
        problems.add(address + ": no answer within 3 s");
      } catch (UnknownHostException e) {
        problems.add(address + ": unknown host");
      } catch (IOException e) {
        problems.add(address + ": " + e.getMessage());
      }
    }
    if (problems.isEmpty()) {
      throw new LabwatchException(
          "no Kafka bootstrap servers given (--bootstrap-servers host:port)");
    }
    throw new LabwatchException(
        "cannot reach Kafka at "
            + bootstrap
            + " ("
            + String.join("; ", problems)
            + ") — is the broker running? (labwatch run / labwatch broker start one; --bootstrap-servers points elsewhere)");
  }

  private static InetSocketAddress parse(String address, String bootstrap) {
    int colon = address.lastIndexOf(':');
    String host = colon > 0 ? address.substring(0, colon) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : -1;
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port == 0 && !host.isEmpty()) {
      throw new ConfigException(
          "kafka.bootstrap.servers: "
              + address
              + " has port 0, which only means \"pick a free port\" to a broker starting up;"
              + " pass --bootstrap-servers with the address `labwatch run` printed");
    }
    if (host.isEmpty() || port < 1 || port > 65535) {
      throw new ConfigException(
          "kafka.bootstrap.servers: '"
              + address
              + "' is not host:port (e.g. "
              + (host.isEmpty() ? address : host)
              + ":9092)");
    }
    return new InetSocketAddress(host, port);
  }

  /**
   * An admin client for a cluster that is known to answer: {@link #checkReachable} first, then
   * {@link #awaitCluster}; every failure is one line.
   */
  public static Admin connectedAdmin(Map<String, Object> clientProperties) {
    String bootstrap = String.valueOf(clientProperties.get("bootstrap.servers"));
    checkReachable(bootstrap);
    Admin admin = admin(clientProperties);
    try {
      awaitCluster(admin, bootstrap);
      return admin;
    } catch (RuntimeException e) {
      admin.close();
      throw e;
    }
  }

  /** An admin client with timeouts fit for a command line. */
  public static Admin admin(Map<String, Object> clientProperties) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "labwatch-admin");
    props.putIfAbsent(
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CONNECT_TIMEOUT.toMillis());
    props.putIfAbsent(
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CONNECT_TIMEOUT.toMillis() * 2);
    try {
      return Admin.create(props);
    } catch (KafkaException e) {
      throw explainClientConfig(e, String.valueOf(props.get("bootstrap.servers")));
    }
  }

  /**
   * Waits until the cluster answers; a broker that accepts connections but does not speak Kafka
   * (wrong port, TLS or SASL mismatch) ends here in one line.
   */
  public static String awaitCluster(Admin admin, String bootstrap) {
    try {
      return admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) CONNECT_TIMEOUT.toMillis()))
          .clusterId()
          .get(CONNECT_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      if (cause instanceof AuthenticationException || cause instanceof IllegalSaslStateException) {
        throw new LabwatchException(
            "Kafka at "
                + bootstrap
                + " refused to authenticate labwatch ("
                + cause.getClass().getSimpleName()
                + ": "
                + redact(firstLine(cause.getMessage()))
                + ") — check security.protocol and the sasl.* settings in the kafka: section",
            cause);
      }
      throw new LabwatchException(
          "Kafka at "
              + bootstrap
              + " did not answer within "
              + CONNECT_TIMEOUT.toSeconds()
              + " s ("
              + cause.getClass().getSimpleName()
              + ") — is it a Kafka broker, and do its TLS/SASL settings match the kafka: section?",
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabwatchException("interrupted while connecting to Kafka at " + bootstrap, e);
    }
  }

  /** A client refused its settings: say which, without repeating values that may be secret. */
  public static LabwatchException explainClientConfig(KafkaException e, String bootstrap) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.kafka.common.config.ConfigException ce) {
        String m = String.valueOf(ce.getMessage());
        if (m.contains("bootstrap")) {
          return new LabwatchException("cannot use bootstrap servers '" + bootstrap + "': " + m, e);
        }
        return new LabwatchException(
            "a Kafka client setting in the kafka: section is invalid: " + redact(m), e);
      }
    }
    // the innermost cause says what is wrong (e.g. "JAAS config entry not terminated by
    // semi-colon"); Kafka's own wrapper only says that it failed
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new LabwatchException(
        "cannot create a Kafka client: " + redact(firstLine(root.getMessage())), e);
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  /** Kafka's ConfigException quotes the offending value; a JAAS line or password must not show. */
  private static String redact(String message) {
    return message.replaceAll("(?i)(value\\s+)(\\S.*?)(\\s+for configuration)", "$1[hidden]$3");
  }
}
