package io.labwatch.app.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.Severity;
import io.labwatch.events.Topics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker on its own data dirs (not the shared test broker). */
class EmbeddedBrokerIT {

  @TempDir Path dataDir;

  @Test
  void dataWrittenBeforeARestartIsThereAfterIt() throws Exception {
    Topics topics = Topics.defaults();
    Alert alert =
        Alert.firing(
            "IP_CONFLICT",
            "10.77.0.10",
            Severity.CRITICAL,
            "conflict",
            Evidence.NONE,
            Map.of(),
            Instant.now());

    try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, "127.0.0.1", 0)) {
      assertThat(broker.formattedNow()).isTrue();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        new TopicManager(admin).ensure(topics.all(), -1);
      }
      try (KafkaProducer<String, Alert> producer =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
              topics.alerts().keySerde().serializer(),
              topics.alerts().valueSerde().serializer())) {
        producer
            .send(new ProducerRecord<>(topics.alerts().name(), alert.fingerprint(), alert))
            .get();
      }
    }

    try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, "127.0.0.1", 0)) {
      assertThat(broker.formattedNow()).isFalse();
      TestKafka view = TestKafka.at(broker.bootstrapServers(), "embedded KRaft");
      List<ConsumerRecord<String, Alert>> records = view.readAll(topics.alerts());
      assertThat(records).extracting(ConsumerRecord::value).containsExactly(alert);
    }
  }

  @Test
  void consumerGroupsAndTransactionsWorkOnOneNode() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, "127.0.0.1", 0)) {
      Topics topics = Topics.withPrefix("tx.");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        new TopicManager(admin).ensure(topics.all(), -1);
      }
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  broker.bootstrapServers(),
                  ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                  "labwatch-test-tx"),
              new StringSerializer(),
              new StringSerializer())) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topics.dlq().name(), "k", "committed"));
        producer.commitTransaction();
      }
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                  ConsumerConfig.GROUP_ID_CONFIG, "labwatch-test-group",
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
              new StringDeserializer(),
              new StringDeserializer())) {
        consumer.subscribe(List.of(topics.dlq().name()));
        List<String> seen = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (seen.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
        }
        assertThat(seen).containsExactly("committed");
        consumer.commitSync();
      }
    }
  }

  @Test
  void anOccupiedPortIsNamedWithItsOwner() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> EmbeddedBroker.start(dataDir, "127.0.0.1", port))
          .isInstanceOf(LabwatchException.class)
          .hasMessageStartingWith("port " + port + " on 127.0.0.1 is already in use")
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
    }
  }

  /**
   * A port the broker chose (free when chosen: the system gave it to a socket closed again) that
   * another process takes before Kafka binds it: the broker starts on ports chosen again, and
   * works. Both of its ports are chosen here, alone; the first choice, the broker's, is taken.
   */
  @Test
  void aChosenPortTakenBeforeTheBrokerListensOnItIsChosenAgain() throws Exception {
    EmbeddedBroker.PortChooser real = EmbeddedBroker.freePorts;
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      java.util.concurrent.atomic.AtomicInteger chosen =
          new java.util.concurrent.atomic.AtomicInteger();
      EmbeddedBroker.freePorts =
          host -> chosen.getAndIncrement() == 0 ? taken.getLocalPort() : real.choose(host);
      try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, "127.0.0.1", 0)) {
        assertThat(chosen.get()).isGreaterThanOrEqualTo(4); // (two starts: two ports each)
        assertThat(broker.bootstrapServers()).doesNotEndWith(":" + taken.getLocalPort());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
          Topics topics = Topics.withPrefix("again.");
          new TopicManager(admin).ensure(topics.all(), -1);
          assertThat(admin.listTopics().names().get()).contains(topics.alerts().name());
        }
      }
    } finally {
      EmbeddedBroker.freePorts = real;
    }
  }

  @Test
  void aDataDirThatCannotBeCreatedIsNamed() throws Exception {
    Path file = Files.writeString(dataDir.resolve("a-file"), "not a directory");
    Path under = file.resolve("labwatch");
    assertThatThrownBy(() -> EmbeddedBroker.start(under, "127.0.0.1", 0))
        .isInstanceOf(LabwatchException.class)
        .hasMessageStartingWith("data dir " + under + " cannot be created");
  }

  @Test
  void aSecondBrokerOnTheSameDataDirIsRefused() {
    try (EmbeddedBroker first = EmbeddedBroker.start(dataDir, "127.0.0.1", 0)) {
      assertThatThrownBy(() -> EmbeddedBroker.start(dataDir, "127.0.0.1", 0))
          .isInstanceOf(LabwatchException.class)
          .hasMessageContaining("data dir " + dataDir + " is in use by another broker");
      assertThat(first.bootstrapServers()).isNotBlank();
    }
  }
}
