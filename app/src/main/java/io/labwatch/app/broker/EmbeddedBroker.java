package io.labwatch.app.broker;

import io.labwatch.events.LabwatchException;
import io.labwatch.events.PortOwner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka broker in this JVM: KRaft, broker and controller combined, started from Kafka's own
 * server classes — alone (a cluster of one, as {@code labwatch run} starts it), or one node of a
 * cluster of several ({@link Quorum}).
 *
 * <p>It listens on {@code host:port} (0 picks a free port) and keeps its log under {@code
 * dataDir/kafka}, formatted on first use and reused afterwards, so data survives restarts. Alone,
 * every internal topic has one replica, so consumer groups and exactly-once transactions work on
 * one node. Topics are never created automatically: labwatch creates its own.
 */
public final class EmbeddedBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final String CONTROLLER = "CONTROLLER";

  /** 1 MiB, the unit free space is said in. */
  static final long MIB = 1024L * 1024;

  /** The log cleaner's buffer of keys (log.cleaner.dedupe.buffer.size). */
  static final int DEDUPE_BUFFER_BYTES = 4 * 1024 * 1024;

  /** Kafka's halt and exit procedures, while a broker that survives Kafka's halts owns them. */
  private static final AtomicReference<EmbeddedBroker> exitOwner = new AtomicReference<>();

  private final KafkaConfig config;
  private final String bootstrapServers;
  private final Path logDir;
  private final boolean formatted;
  private final long reserveBytes;
  private volatile KafkaRaftServer server;

  /** Why Kafka stopped itself, while it is stopped and not yet started again; else null. */
  private volatile String stoppedBecause;

  private Thread restarter;
  private Thread repairer;
  private boolean closed;

  private EmbeddedBroker(
      KafkaConfig config,
      KafkaRaftServer server,
      String bootstrapServers,
      Path logDir,
      boolean formatted,
      long reserveBytes) {
    this.config = config;
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.logDir = logDir;
    this.formatted = formatted;
    this.reserveBytes = reserveBytes;
  }

  /**
   * Starts the broker and returns once it accepts clients.
   *
   * @throws LabwatchException saying which port is taken (and by whom) or which directory cannot be
   *     used
   */
  public static EmbeddedBroker start(Path dataDir, String host, int port) {
    return start(dataDir, host, port, 0);
  }

  /**
   * Starts the broker, refusing to when its data dir has less than {@code reserveBytes} free: Kafka
   * on a full disk fails half-way through its start (an {@code InternalError} from a memory-mapped
   * index) and, once running, stops the whole process at its first failed write.
   *
   * @throws LabwatchException also saying how much space the data dir lacks
   */
  public static EmbeddedBroker start(Path dataDir, String host, int port, long reserveBytes) {
    return start(dataDir, host, null, port, reserveBytes);
  }

  /**
   * ... telling clients to connect to {@code advertisedHost} (null: the listening address, or for
   * 0.0.0.0 this host's default-route address) — e.g. 127.0.0.1 for a broker in a container whose
   * port is published on the host's loopback.
   */
  public static EmbeddedBroker start(
      Path dataDir, String host, String advertisedHost, int port, long reserveBytes) {
    return start(dataDir, host, advertisedHost, port, reserveBytes, Quorum.ALONE);
  }

  /**
   * ... as one node of {@code quorum}: its controller listens on its own voter's address, Kafka's
   * internal topics and new topics get one replica per node up to three, and writes need two of
   * three in sync ({@code min.insync.replicas}).
   */
  public static EmbeddedBroker start(
      Path dataDir,
      String host,
      String advertisedHost,
      int port,
      long reserveBytes,
      Quorum quorum) {
    Path logDir = dataDir.toAbsolutePath().normalize().resolve("kafka");
    if (port != 0) {
      checkFree(host, port);
    }
    prepare(logDir);
    checkSpace(logDir, reserveBytes);
    checkNotLocked(logDir);
    boolean formatted = formatIfNew(logDir, quorum);
    // A port labwatch chooses (the broker's with port 0, the controller's when alone) is one the
    // system gave a socket that is closed again before Kafka binds it: on a busy box another
    // process can take it in between. Kafka then fails to bind, and the broker starts again on
    // ports chosen anew.
    boolean choosesPorts = port == 0 || quorum.voters().isEmpty();
    for (int attempt = 1; ; attempt++) {
      int brokerPort =
          port == 0 ? freePorts.choose(host) : attempt == 1 ? port : checkFree(host, port);
      Quorum.Voter self =
          quorum.voters().isEmpty()
              ? new Quorum.Voter(quorum.nodeId(), "127.0.0.1", freePorts.choose("127.0.0.1"))
              : quorum.self();
      try {
        return start(
            logDir, host, advertisedHost, brokerPort, self, quorum, formatted, reserveBytes);
      } catch (LabwatchException e) {
        if (!(e.getCause() instanceof PortTakenMeanwhile taken)
            || !choosesPorts
            || attempt == PORT_ATTEMPTS) {
          throw e;
        }
        log.info(
            "a port chosen for the embedded broker was taken before it could listen on it ({});"
                + " choosing again",
            taken.getMessage());
      }
    }
  }

  /** How many times the broker starts on ports it chose before it gives up (see above). */
  static final int PORT_ATTEMPTS = 5;

  /** Chooses a free port on a host; a test makes it choose one that is taken. */
  interface PortChooser {
    int choose(String host);
  }

  static PortChooser freePorts = EmbeddedBroker::freePort;

  /** Kafka could not bind a port that was free when it was chosen. */
  private static final class PortTakenMeanwhile extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortTakenMeanwhile(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static EmbeddedBroker start(
      Path logDir,
      String host,
      String advertisedHost,
      int brokerPort,
      Quorum.Voter self,
      Quorum quorum,
      boolean formatted,
      long reserveBytes) {
    String voters = quorum.voters().isEmpty() ? self.toString() : Quorum.text(quorum.voters());
    int controllerPort = self.port();
    int rf = quorum.replicationFactor();
    String rfText = Integer.toString(rf);
    String minIsr = rf >= 3 ? "2" : "1";

    Properties props = new Properties();
    String listenHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(quorum.nodeId()));
    props.put("controller.quorum.voters", voters);
    props.put("controller.listener.names", CONTROLLER);
    props.put(
        "listeners",
        "PLAINTEXT://"
            + listenHost
            + ":"
            + brokerPort
            + ","
            + CONTROLLER
            + "://"
            + (self.host().indexOf(':') >= 0 ? "[" + self.host() + "]" : self.host())
            + ":"
            + controllerPort);
    String advertised =
        advertisedHost != null && !advertisedHost.isBlank()
            ? (advertisedHost.indexOf(':') >= 0 ? "[" + advertisedHost + "]" : advertisedHost)
            : advertisedHost(host);
    props.put("advertised.listeners", "PLAINTEXT://" + advertised + ":" + brokerPort);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    props.put("metadata.log.dir", logDir.toString());
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "1");
    // one node: every internal topic gets one replica, or groups and transactions wait forever;
    // several: one per node up to three, and two of three in sync for a write
    props.put("default.replication.factor", rfText);
    props.put("min.insync.replicas", minIsr);
    props.put("offsets.topic.replication.factor", rfText);
    props.put("offsets.topic.num.partitions", "10");
    props.put("transaction.state.log.replication.factor", rfText);
    props.put("transaction.state.log.min.isr", minIsr);
    props.put("transaction.state.log.num.partitions", "10");
    props.put("share.coordinator.state.topic.replication.factor", rfText);
    props.put("share.coordinator.state.topic.min.isr", minIsr);
    props.put("share.coordinator.state.topic.num.partitions", "10");
    props.put("group.initial.rebalance.delay.ms", "0");
    // A producer that dies (or stalls) mid-transaction blocks every read_committed reader of its
    // partitions — the sinks, so the alerts — until the broker aborts the transaction: after its
    // timeout (10 s for the detection) at the next check, every 10 s by default. Checked every
    // second, the alerts wait at most 11 s instead of 20; the check is a scan of the few open
    // transactions.
    props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
    // After a crash (kill -9, power cut) the controller refuses the restarted broker's
    // registration (DUPLICATE_BROKER_REGISTRATION) until the old incarnation's session expires:
    // 9 s by default, added to every restart after a crash. Alone, broker and controller share this
    // JVM, so their heartbeats never cross a network: a short session costs nothing; in a cluster
    // on a lab's LAN (or loopback) half a second between heartbeats is still far more than enough,
    // and a dead node's partitions move after 2.5 s instead of 9.
    props.put("broker.heartbeat.interval.ms", "500");
    props.put("broker.session.timeout.ms", "2500");
    // The compaction buffer (Kafka's default 128 MiB) is allocated, and every page of it written,
    // when the broker starts, idle or not: 4 MiB holds the keys of some 175,000 records (24 bytes
    // each, 90 % full), more than a lab's alerts, silences or state changelogs hold in a segment;
    // a log with more is compacted in several passes instead of one. It was 16 MiB: 12 MiB less of
    // an idle broker's resident memory (BENCHMARKS.md, start-up and idle memory).
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(DEDUPE_BUFFER_BYTES));

    KafkaConfig config = KafkaConfig.fromProps(props, false);
    KafkaRaftServer server = null;
    try {
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
    } catch (RuntimeException | InternalError e) {
      if (server != null) {
        shutdownQuietly(server);
      }
      LabwatchException explained = explain(e, logDir, host, brokerPort, reserveBytes);
      if (bindFailed(e)) {
        throw new LabwatchException(
            explained.getMessage(), new PortTakenMeanwhile(explained.getMessage(), e));
      }
      throw explained;
    }
    String bootstrap = advertised + ":" + brokerPort;
    log.info("embedded Kafka broker up at {}, data in {}", bootstrap, logDir);
    EmbeddedBroker broker =
        new EmbeddedBroker(config, server, bootstrap, logDir, formatted, reserveBytes);
    broker.endDroppedTransactions();
    return broker;
  }

  /**
   * From now until {@link #close}, Kafka's calls to halt or exit the process (it makes them when
   * its log dir fails, e.g. on a full disk: "Shutdown broker because all log dirs ... have failed")
   * stop this broker instead of the JVM; it is started again, on the same directory and port, once
   * the data dir has its reserve free again. Clients reconnect by themselves. For a process that
   * holds more than the broker ({@code labwatch run}); one broker per JVM.
   *
   * @return this
   */
  public EmbeddedBroker surviveKafkaHalts() {
    if (!exitOwner.compareAndSet(null, this)) {
      throw new IllegalStateException("another embedded broker already owns Kafka's halts");
    }
    Exit.setHaltProcedure((status, message) -> kafkaStopped("halt", status, message));
    Exit.setExitProcedure((status, message) -> kafkaStopped("exit", status, message));
    return this;
  }

  /** Kafka asked to end the process: stop the broker alone, and start it again later. */
  private void kafkaStopped(String how, int status, String message) {
    synchronized (this) {
      if (closed || stoppedBecause != null) {
        return;
      }
      stoppedBecause =
          message != null && !message.isBlank()
              ? message.lines().findFirst().orElse(message)
              : "its log dir failed and Kafka asked to " + how + " the JVM (status " + status + ")";
      restarter = new Thread(this::restart, "labwatch-broker-restart");
      restarter.setDaemon(true);
      restarter.start();
    }
    log.error(
        "the embedded Kafka broker stopped: {}; labwatch keeps running and starts it again once {}"
            + " has {} MiB free ({} MiB now)",
        stoppedBecause,
        logDir.getParent(),
        restartBytes() / MIB,
        freeBytes() / MIB);
  }

  /** How much free space a restart after a failure waits for: the reserve and some. */
  private long restartBytes() {
    return reserveBytes + DiskGuard.HYSTERESIS_BYTES;
  }

  /** Shuts the failed server down, waits for space, starts a new server on the same config. */
  private void restart() {
    if (!shutdownFailed(server)) {
      stoppedBecause =
          stoppedBecause + "; it did not stop within " + FAILED_SHUTDOWN + ", restart labwatch";
      log.error(
          "the failed embedded Kafka broker did not stop within {}; restart labwatch",
          FAILED_SHUTDOWN);
      return;
    }
    long backoffMs = 1000;
    while (!isClosed()) {
      if (freeBytes() >= restartBytes()) {
        KafkaRaftServer next = new KafkaRaftServer(config, Time.SYSTEM);
        try {
          next.startup();
          synchronized (this) {
            if (closed) {
              shutdownQuietly(next);
              return;
            }
            server = next;
            stoppedBecause = null;
          }
          log.info("embedded Kafka broker up again at {}", bootstrapServers);
          endDroppedTransactions();
          return;
        } catch (RuntimeException | InternalError e) {
          log.warn("the embedded Kafka broker did not start again: {}; trying again", e.toString());
          shutdownQuietly(next);
          backoffMs = Math.min(backoffMs * 2, 30_000);
        }
      }
      try {
        Thread.sleep(backoffMs);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** How long a start may spend ending the transactions Kafka left open (see below). */
  static final Duration REPAIR_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Writes, in the background, the markers of the transactions this broker decided during its start
   * but left open: a transaction that was being committed when the broker died loses its markers at
   * the restart (Kafka 4.3 on a single node; {@link TransactionRepair} says how), and its
   * partitions stay blocked for every {@code read_committed} reader, the detection included, until
   * a marker comes. (In the background: clients need not wait for it, only the blocked partitions
   * do, for the second or so it takes.)
   */
  private void endDroppedTransactions() {
    Thread t =
        new Thread(
            () -> {
              try {
                TransactionRepair.Repaired r =
                    TransactionRepair.run(bootstrapServers, REPAIR_TIMEOUT);
                if (r.endedAny()) {
                  log.warn(
                      "the broker restarted with transactions it had decided but left open (Kafka"
                          + " dropped their markers while the partitions had no leader yet): wrote"
                          + " them, {} ({}){}",
                      r.summary(),
                      String.join(", ", r.transactions()),
                      r.failures().isEmpty() ? "" : "; not on " + String.join(", ", r.failures()));
                } else if (!r.failures().isEmpty() && !isClosed()) {
                  log.warn(
                      "could not end the transactions Kafka left open at the restart: {}",
                      String.join(", ", r.failures()));
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "labwatch-broker-transaction-repair");
    t.setDaemon(true);
    synchronized (this) {
      repairer = t;
    }
    t.start();
  }

  /** How long a failed server may take to stop before its stop is given up. */
  static final Duration FAILED_SHUTDOWN = Duration.ofSeconds(60);

  /**
   * Stops a server whose log dir failed. Its broker first asks the controller to let it go
   * (controlled shutdown) and waits up to 5 minutes for the answer; when the metadata log is the
   * one that failed, no answer comes. That wait is interrupted after a few seconds (Kafka logs it
   * and goes on stopping); every other step is left to finish.
   *
   * @return whether the server stopped
   */
  private static boolean shutdownFailed(KafkaRaftServer failed) {
    Thread stopper = new Thread(() -> shutdownQuietly(failed), "labwatch-broker-stop");
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(5_000);
      if (stopper.isAlive()) {
        stopper.interrupt();
        stopper.join(FAILED_SHUTDOWN.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !stopper.isAlive();
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /** Free space in the data dir's file system; 0 when it cannot be read. */
  long freeBytes() {
    try {
      return Files.getFileStore(logDir).getUsableSpace();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Why Kafka stopped, while it has stopped itself and is not up again; else null. */
  public String stoppedBecause() {
    return stoppedBecause;
  }

  /**
   * Null while the broker is fine; else what is wrong: Kafka stopped itself (a failed log dir) and
   * waits to be started again, or its port no longer accepts connections.
   */
  public String problem() {
    String stopped = stoppedBecause;
    if (stopped != null) {
      return "stopped ("
          + stopped
          + "); it starts again by itself once "
          + logDir.getParent()
          + " has "
          + restartBytes() / MIB
          + " MiB free ("
          + freeBytes() / MIB
          + " MiB now)";
    }
    int colon = bootstrapServers.lastIndexOf(':');
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(
          new java.net.InetSocketAddress(
              bootstrapServers.substring(0, colon),
              Integer.parseInt(bootstrapServers.substring(colon + 1))),
          2000);
    } catch (java.io.IOException e) {
      return "not accepting connections at " + bootstrapServers + ": " + e.getMessage();
    }
    return null;
  }

  /** Where clients connect, {@code host:port}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The broker's log directory, {@code dataDir/kafka}. */
  public Path logDir() {
    return logDir;
  }

  /** True when this start formatted a new data directory. */
  public boolean formattedNow() {
    return formatted;
  }

  /** Stops the broker cleanly: its logs are flushed and closed, so a restart recovers nothing. */
  @Override
  public void close() {
    Thread waitFor;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      waitFor = restarter;
      if (repairer != null) {
        repairer.interrupt();
      }
    }
    log.info("stopping embedded Kafka broker at {}", bootstrapServers);
    if (waitFor != null) {
      waitFor.interrupt();
      try {
        waitFor.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    shutdownQuietly(server);
    if (exitOwner.compareAndSet(this, null)) {
      Exit.resetHaltProcedure();
      Exit.resetExitProcedure();
    }
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException | InternalError e) {
      log.warn("embedded Kafka broker did not stop cleanly: {}", e.toString());
    }
  }

  /**
   * What clients are told to connect to. Listening on every address (0.0.0.0, ::) is for sensors on
   * other hosts, so the broker advertises this host's address on its default route.
   */
  private static String advertisedHost(String host) {
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (!bare.equals("0.0.0.0") && !bare.equals("::")) {
      return bare.indexOf(':') >= 0 ? "[" + bare + "]" : bare;
    }
    return io.labwatch.producers.arp.Interfaces.defaultRouteInterface()
        .flatMap(i -> io.labwatch.producers.arp.Interfaces.ipv4Addresses(i).stream().findFirst())
        .map(a -> a.address().toString())
        .orElseThrow(
            () ->
                new LabwatchException(
                    "broker.host "
                        + host
                        + " listens on every address, but this host has no default-route address to"
                        + " tell clients; set broker.host to this host's LAN address"));
  }

  private static void prepare(Path logDir) {
    try {
      Files.createDirectories(logDir);
    } catch (AccessDeniedException e) {
      throw new LabwatchException(
          "data dir "
              + logDir.getParent()
              + " is not writable (permission denied on "
              + e.getFile()
              + ")");
    } catch (FileSystemException e) {
      throw new LabwatchException(
          "data dir "
              + logDir.getParent()
              + " cannot be created: "
              + e.getReason()
              + " ("
              + e.getFile()
              + ")");
    } catch (IOException e) {
      throw new LabwatchException("data dir " + logDir.getParent() + " cannot be created: " + e);
    }
    if (!Files.isWritable(logDir)) {
      throw new LabwatchException(
          "data dir " + logDir.getParent() + " is not writable (" + logDir + ")");
    }
  }

  /**
   * Refuses a start with less than {@code reserveBytes} free, in one line: Kafka would fail
   * half-way through, with an InternalError from writing a memory-mapped index on a full disk.
   */
  private static void checkSpace(Path logDir, long reserveBytes) {
    if (reserveBytes <= 0) {
      return;
    }
    long free;
    try {
      free = Files.getFileStore(logDir).getUsableSpace();
    } catch (IOException e) {
      throw new LabwatchException(
          "data dir " + logDir.getParent() + " cannot be used: " + e.getMessage(), e);
    }
    if (free < reserveBytes) {
      throw diskFull(logDir, free, reserveBytes, null);
    }
  }

  private static LabwatchException diskFull(
      Path logDir, long free, long reserveBytes, Throwable cause) {
    return new LabwatchException(
        "the disk of "
            + logDir.getParent()
            + " has "
            + free / MIB
            + " MiB free; the embedded broker needs at least "
            + Math.max(reserveBytes, MIB) / MIB
            + " MiB: free some space (or point dataDir elsewhere)",
        cause);
  }

  /**
   * Kafka locks its log dir, but only once its controller has already started on it; a second
   * labwatch on the same data dir is refused here, before it touches anything.
   */
  private static void checkNotLocked(Path logDir) {
    Path lockFile = logDir.resolve(".lock");
    try (FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw inUse(logDir, null);
      }
      lock.release();
    } catch (OverlappingFileLockException e) {
      throw inUse(logDir, e);
    } catch (IOException e) {
      throw new LabwatchException(
          "data dir " + logDir.getParent() + " cannot be used: " + e.getMessage(), e);
    }
  }

  private static LabwatchException inUse(Path logDir, Throwable cause) {
    return new LabwatchException(
        "data dir "
            + logDir.getParent()
            + " is in use by another broker (is labwatch already running?)",
        cause);
  }

  private static boolean formatIfNew(Path logDir, Quorum quorum) {
    if (Files.exists(logDir.resolve("meta.properties"))) {
      return false;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(print)
          .setNodeId(quorum.nodeId())
          .setClusterId(quorum.clusterIdToFormat())
          .setControllerListenerName(CONTROLLER)
          .setMetadataLogDirectory(logDir.toString())
          .addDirectory(logDir.toString())
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setHasDynamicQuorum(false)
          .setIgnoreFormatted(true)
          .run();
    } catch (Exception e) {
      throw new LabwatchException(
          "cannot format the broker's data dir " + logDir + ": " + e.getMessage(), e);
    }
    log.info("formatted new broker data dir {}", logDir);
    log.debug("{}", out.toString(StandardCharsets.UTF_8).trim());
    return true;
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new LabwatchException("cannot listen on " + host + ": " + e.getMessage(), e);
    }
  }

  private static int checkFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return port;
    } catch (IOException e) {
      throw portTaken(host, port, e);
    }
  }

  private static LabwatchException portTaken(String host, int port, Throwable cause) {
    String owner = PortOwner.describe(port).map(o -> " by " + o).orElse("");
    return new LabwatchException(
        "port "
            + port
            + " on "
            + host
            + " is already in use"
            + owner
            + " — stop it, or choose another port (broker.port; 0 picks a free one)",
        cause);
  }

  /** True when Kafka's start failed because a port was taken (by anyone, at any step). */
  private static boolean bindFailed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /** Kafka's start-up failures, in words that say what to do. */
  private static LabwatchException explain(
      Throwable e, Path logDir, String host, int port, long reserveBytes) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      // a write to a memory-mapped index on a full disk is a SIGBUS, which the JVM turns into an
      // InternalError ("a fault occurred in an unsafe memory access operation")
      if (m.contains("No space left on device")
          || (t instanceof InternalError && m.contains("unsafe memory access"))) {
        long free;
        try {
          free = Files.getFileStore(logDir).getUsableSpace();
        } catch (IOException io) {
          free = 0;
        }
        return diskFull(logDir, free, reserveBytes, e);
      }
      if (m.contains("Address already in use")) {
        return portTaken(host, port, e);
      }
      if (m.contains("Failed to acquire lock") || m.contains("another process or thread")) {
        return inUse(logDir, e);
      }
    }
    return new LabwatchException("the embedded Kafka broker failed to start: " + e.getMessage(), e);
  }
}
