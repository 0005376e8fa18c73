package io.labwatch.app.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.broker.TransactionRepair.Decision;
import io.labwatch.app.broker.TransactionRepair.OpenTransaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pieces of the restart repair against a real broker: an open transaction is found where its
 * partition's leader reports it, the coordinator's decisions are read from the transaction log, and
 * a marker written by the repair ends the transaction for {@code read_committed} readers. (Kafka
 * dropping a marker needs a crash in the middle of a commit; BrokerKillIT provokes that.)
 */
class TransactionRepairIT {

  static final String TOPIC = "repair";
  static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  @TempDir Path dataDir;
  private EmbeddedBroker broker;
  private Admin admin;
  private final List<KafkaProducer<String, String>> producers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    broker = EmbeddedBroker.start(dataDir, "127.0.0.1", 0);
    admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
  }

  @AfterEach
  void stop() {
    producers.forEach(p -> p.close(Duration.ZERO));
    admin.close();
    broker.close();
  }

  @Test
  void aMarkerWrittenWithTheCoordinatorsDecisionEndsTheOpenTransactionForReadCommittedReaders()
      throws Exception {
    // given a transaction left open on a partition (its coordinator will not end it for 15 min)
    KafkaProducer<String, String> producer = transactional("left-open");
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(TOPIC, 0, "k", "stuck")).get();
    OpenTransaction open = openOn(PARTITION);
    assertThat(readCommitted()).isEmpty();

    // when the repair writes the marker of a COMMIT decided at the next epoch (transaction
    // version 2), as the coordinator would have
    Decision commit =
        new Decision(
            "left-open",
            open.producerId(),
            (short) (open.lastEpoch() + 1),
            TransactionResult.COMMIT,
            Set.of(PARTITION),
            (short) 2,
            0);
    List<TxnMarkerEntry> markers =
        TransactionRepair.markers(List.of(open), List.of(commit)).stream()
            .map(TransactionRepair.Marker::entry)
            .toList();
    Map<TopicPartition, Errors> answers =
        TransactionRepair.write(broker.bootstrapServers(), markers);

    // then the partition has no open transaction and the record is committed
    assertThat(answers).containsExactly(Map.entry(PARTITION, Errors.NONE));
    assertThat(TransactionRepair.openTransactions(admin))
        .noneMatch(o -> o.partition().equals(PARTITION));
    assertThat(readCommitted()).containsExactly("stuck");
  }

  @Test
  void theCoordinatorsDecisionsAreReadFromTheTransactionLog() throws Exception {
    // given a committed transaction on one partition and an aborted one on the other
    KafkaProducer<String, String> producer = transactional("decided");
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(TOPIC, 0, "k", "committed")).get();
    long producerId = openOn(PARTITION).producerId();
    producer.commitTransaction();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(TOPIC, 1, "k", "aborted")).get();
    producer.abortTransaction();

    // when
    List<Decision> decisions =
        TransactionRepair.decisions(broker.bootstrapServers(), Set.of(producerId));

    // then both, in order, each with the partition it named
    assertThat(decisions)
        .extracting(Decision::result, Decision::partitions)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(TransactionResult.COMMIT, Set.of(PARTITION)),
            org.assertj.core.groups.Tuple.tuple(
                TransactionResult.ABORT, Set.of(new TopicPartition(TOPIC, 1))));
    assertThat(decisions).allMatch(d -> d.transactionalId().equals("decided"));
  }

  @Test
  void aTransactionItsCoordinatorHasNotDecidedIsLeftAlone() throws Exception {
    // given a transaction in progress
    KafkaProducer<String, String> producer = transactional("in-progress");
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(TOPIC, 0, "k", "pending")).get();

    // when the broker looks for transactions to end
    TransactionRepair.Repaired repaired =
        TransactionRepair.run(broker.bootstrapServers(), Duration.ofSeconds(15));

    // then it writes nothing, and the producer commits as usual
    assertThat(repaired.endedAny()).isFalse();
    assertThat(repaired.failures()).isEmpty();
    assertThat(readCommitted()).isEmpty();
    producer.commitTransaction();
    // (with transaction version 2 the commit returns before its markers are written)
    await().atMost(Duration.ofSeconds(30)).until(() -> readCommitted().equals(List.of("pending")));
  }

  private KafkaProducer<String, String> transactional(String id) {
    KafkaProducer<String, String> p =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                id,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                900_000),
            new StringSerializer(),
            new StringSerializer());
    producers.add(p);
    p.initTransactions();
    return p;
  }

  private OpenTransaction openOn(TopicPartition tp) throws Exception {
    return TransactionRepair.openTransactions(admin).stream()
        .filter(o -> o.partition().equals(tp))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no open transaction on " + tp));
  }

  /** Everything a read_committed reader gets from partition 0, up to its end. */
  private List<String> readCommitted() {
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.assign(List.of(PARTITION));
      consumer.seekToBeginning(List.of(PARTITION));
      long end = consumer.endOffsets(List.of(PARTITION)).get(PARTITION);
      List<String> out = new ArrayList<>();
      while (consumer.position(PARTITION) < end) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
      return out;
    }
  }
}
