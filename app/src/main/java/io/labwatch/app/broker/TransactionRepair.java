package io.labwatch.app.broker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.coordinator.transaction.TransactionLog;
import org.apache.kafka.coordinator.transaction.TransactionState;

/**
 * Writes the commit and abort markers that a restarted single-node broker decided but never wrote.
 *
 * <p>Why they go missing (Kafka 4.3): a broker restarted after a crash replays its metadata log and
 * becomes coordinator of {@code __transaction_state} from that history before it serves anything. A
 * transaction that was in {@code PREPARE_COMMIT} or {@code PREPARE_ABORT} at the crash has its
 * markers sent at once — to the broker's own listener, which is not open yet. The connection is
 * refused, the markers are queued again and their partitions' leaders looked up again; by then the
 * controller has fenced the crashed incarnation, so on a single node every partition is leaderless.
 * {@code TransactionMarkerChannelManager} takes "no leader" for "topic deleted", drops the markers
 * and writes {@code COMPLETE_COMMIT}. The partitions keep an open transaction that no coordinator
 * will ever end: their last stable offset stops there (a {@code read_committed} reader — Kafka
 * Streams restoring a changelog, a sink reading alerts — never gets past it) and {@code
 * __consumer_offsets} keeps the transaction's offsets pending ({@code OffsetFetch} answers {@code
 * UNSTABLE_OFFSET_COMMIT} until the end of time).
 *
 * <p>After each start this finds the partitions with an open transaction that its coordinator has
 * already decided — a {@code PREPARE_COMMIT}/{@code PREPARE_ABORT} record in the transaction log
 * with a later producer epoch than the open transaction's data — and writes that decision's marker,
 * as the coordinator would have. Transactions still open in the coordinator (no decision yet) are
 * left alone.
 */
final class TransactionRepair {

  static final String TRANSACTION_STATE_TOPIC = "__transaction_state";

  /** A producer's open transaction on one partition, as the partition leader reports it. */
  record OpenTransaction(
      TopicPartition partition, long producerId, int lastEpoch, int coordinatorEpoch) {}

  /**
   * A coordinator's decision on one transaction: the {@code PREPARE_*} record of the transaction
   * log, in log order ({@code sequence}).
   *
   * @param markerEpoch the producer epoch the markers carry (with transaction version 2 the data's
   *     epoch plus one)
   */
  record Decision(
      String transactionalId,
      long producerId,
      short markerEpoch,
      TransactionResult result,
      Set<TopicPartition> partitions,
      short transactionVersion,
      long sequence) {

    /**
     * Whether this decision ends the open transaction of a producer whose last data has that epoch.
     */
    boolean ends(OpenTransaction open) {
      return producerId == open.producerId()
          && partitions.contains(open.partition())
          && (transactionVersion >= 2
              ? markerEpoch > open.lastEpoch()
              : markerEpoch >= open.lastEpoch());
    }
  }

  /** A marker to write, and the decision it carries out. */
  record Marker(Decision decision, TxnMarkerEntry entry) {}

  /**
   * What a run did.
   *
   * @param ended the partitions whose open transaction a marker ended, by the marker's result
   * @param transactions the transactional ids those were
   * @param failures why the rest could not be ended (empty when nothing was left)
   */
  record Repaired(
      Map<TransactionResult, Set<TopicPartition>> ended,
      Set<String> transactions,
      List<String> failures) {

    boolean endedAny() {
      return !ended.isEmpty();
    }

    String summary() {
      return ended.entrySet().stream()
          .map(
              e ->
                  e.getKey()
                      + " on "
                      + e.getValue().size()
                      + (e.getValue().size() == 1 ? " partition" : " partitions"))
          .collect(Collectors.joining(", "));
    }
  }

  private TransactionRepair() {}

  /**
   * The markers that end the open transactions whose decisions are known: for each open
   * transaction, the earliest decision (in log order) that covers it. Open transactions without a
   * decision are not touched.
   */
  static List<Marker> markers(Collection<OpenTransaction> open, Collection<Decision> decisions) {
    List<Decision> ordered =
        decisions.stream().sorted(Comparator.comparingLong(Decision::sequence)).toList();
    // one marker entry per decision, with every partition it ends
    Map<Decision, List<TopicPartition>> partitions = new LinkedHashMap<>();
    Map<Decision, Integer> coordinatorEpochs = new HashMap<>();
    for (OpenTransaction o : open) {
      Optional<Decision> d = ordered.stream().filter(x -> x.ends(o)).findFirst();
      if (d.isPresent()) {
        partitions.computeIfAbsent(d.get(), x -> new ArrayList<>()).add(o.partition());
        // a marker must not carry an older coordinator epoch than the partition has seen
        coordinatorEpochs.merge(d.get(), Math.max(0, o.coordinatorEpoch()), Math::max);
      }
    }
    List<Marker> markers = new ArrayList<>();
    partitions.forEach(
        (d, tps) ->
            markers.add(
                new Marker(
                    d,
                    new TxnMarkerEntry(
                        d.producerId(),
                        d.markerEpoch(),
                        coordinatorEpochs.get(d),
                        d.result(),
                        tps.stream()
                            .sorted(Comparator.comparing(TopicPartition::toString))
                            .toList(),
                        d.transactionVersion()))));
    return markers;
  }

  /**
   * Finds and ends the transactions this broker decided but left open. Right after a start the
   * partitions may have no leader yet, and the coordinator may still be writing the markers of a
   * decision it reloaded (those are not dropped: it is left to finish); a marker may be refused
   * because the producer has started a newer transaction there since (whose own marker will end the
   * old one too) or because a marker came in between. Each case is looked at again, for at most
   * {@code timeout}.
   */
  static Repaired run(String bootstrap, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "labwatch-broker-transaction-repair");
    Map<TransactionResult, Set<TopicPartition>> ended = new TreeMap<>();
    Set<String> transactions = new TreeSet<>();
    List<String> failures = List.of();
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        try {
          List<OpenTransaction> open = openTransactions(admin);
          Set<Long> producers =
              open.stream().map(OpenTransaction::producerId).collect(Collectors.toSet());
          List<Marker> markers =
              open.isEmpty() ? List.of() : markers(open, decisions(bootstrap, producers));
          if (markers.isEmpty()) {
            return new Repaired(ended, transactions, List.of());
          }
          Set<String> ids =
              markers.stream().map(m -> m.decision().transactionalId()).collect(Collectors.toSet());
          if (coordinatorBusy(admin, ids)) {
            failures = List.of("the transaction coordinator is still ending " + ids);
          } else {
            Map<TopicPartition, Errors> errors =
                write(bootstrap, markers.stream().map(Marker::entry).toList());
            List<String> refused = new ArrayList<>();
            for (Marker m : markers) {
              for (TopicPartition tp : m.entry().partitions()) {
                Errors e = errors.getOrDefault(tp, Errors.UNKNOWN_SERVER_ERROR);
                if (e == Errors.NONE) {
                  ended
                      .computeIfAbsent(m.entry().transactionResult(), r -> new TreeSet<>(BY_NAME))
                      .add(tp);
                  transactions.add(m.decision().transactionalId());
                } else {
                  refused.add(tp + ": " + e.name());
                }
              }
            }
            if (refused.isEmpty()) {
              return new Repaired(ended, transactions, List.of());
            }
            failures = refused;
          }
        } catch (ExecutionException | org.apache.kafka.common.KafkaException | IOException e) {
          // (a partition without a leader yet, a coordinator still loading)
          failures = List.of(rootMessage(e));
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    return new Repaired(ended, transactions, failures);
  }

  private static final Comparator<TopicPartition> BY_NAME =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  /** Whether the coordinator is itself writing the markers of one of these transactions. */
  private static boolean coordinatorBusy(Admin admin, Set<String> transactionalIds)
      throws ExecutionException, InterruptedException {
    for (TransactionDescription d :
        admin.describeTransactions(transactionalIds).all().get().values()) {
      if (d.state() == org.apache.kafka.clients.admin.TransactionState.PREPARE_COMMIT
          || d.state() == org.apache.kafka.clients.admin.TransactionState.PREPARE_ABORT) {
        return true;
      }
    }
    return false;
  }

  /** Every partition's open transactions, as their leaders report them. */
  static List<OpenTransaction> openTransactions(Admin admin)
      throws ExecutionException, InterruptedException {
    Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
    List<TopicPartition> partitions = new ArrayList<>();
    for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        partitions.add(new TopicPartition(d.name(), p.partition()));
      }
    }
    List<OpenTransaction> open = new ArrayList<>();
    admin
        .describeProducers(partitions)
        .all()
        .get()
        .forEach(
            (tp, state) -> {
              for (ProducerState p : state.activeProducers()) {
                if (p.currentTransactionStartOffset().isPresent()) {
                  open.add(
                      new OpenTransaction(
                          tp, p.producerId(), p.producerEpoch(), p.coordinatorEpoch().orElse(-1)));
                }
              }
            });
    return open;
  }

  /** The decisions on those producers' transactions, read from the transaction log. */
  static List<Decision> decisions(String bootstrap, Set<Long> producerIds) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-broker-transaction-repair");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    List<Decision> decisions = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(TRANSACTION_STATE_TOPIC, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      long sequence = 0;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null || r.value() == null) {
            continue;
          }
          if (TransactionLog.read(ByteBuffer.wrap(r.key()), ByteBuffer.wrap(r.value()))
                  instanceof TransactionLog.TxnRecord txn
              && producerIds.contains(txn.metadata().producerId())) {
            TransactionState state = txn.metadata().state();
            if (state == TransactionState.PREPARE_COMMIT
                || state == TransactionState.PREPARE_ABORT) {
              decisions.add(
                  new Decision(
                      txn.transactionId(),
                      txn.metadata().producerId(),
                      txn.metadata().producerEpoch(),
                      state == TransactionState.PREPARE_COMMIT
                          ? TransactionResult.COMMIT
                          : TransactionResult.ABORT,
                      Set.copyOf(txn.metadata().topicPartitions()),
                      txn.metadata().clientTransactionVersion().featureLevel(),
                      sequence++));
            }
          }
        }
      }
    }
    return decisions;
  }

  /**
   * Sends the markers to the broker, as its transaction coordinator would have: each partition's
   * answer.
   */
  static Map<TopicPartition, Errors> write(String bootstrap, List<TxnMarkerEntry> markers)
      throws IOException {
    int colon = bootstrap.lastIndexOf(':');
    String host = bootstrap.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(bootstrap.substring(colon + 1));
    short version = ApiKeys.WRITE_TXN_MARKERS.latestVersion();
    RequestHeader header =
        new RequestHeader(
            ApiKeys.WRITE_TXN_MARKERS, version, "labwatch-broker-transaction-repair", 1);
    ByteBuffer request =
        new WriteTxnMarkersRequest.Builder(markers).build(version).serializeWithHeader(header);
    WriteTxnMarkersResponse response;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout(30_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      byte[] bytes = new byte[request.remaining()];
      request.get(bytes);
      out.writeInt(bytes.length);
      out.write(bytes);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] body = new byte[in.readInt()];
      in.readFully(body);
      response =
          (WriteTxnMarkersResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
    }
    Map<TopicPartition, Errors> errors = new HashMap<>();
    response.errorsByProducerId().values().forEach(errors::putAll);
    return errors;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
