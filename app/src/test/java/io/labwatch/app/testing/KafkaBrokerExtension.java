package io.labwatch.app.testing;

import io.labwatch.app.broker.EmbeddedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * One real Kafka broker per test JVM, injected as a {@link TestKafka} parameter.
 *
 * <p>By default labwatch's own embedded KRaft broker; with {@code
 * LABWATCH_TEST_BROKER=testcontainers}, Testcontainers' {@code KafkaContainer} (Apache Kafka's
 * image at the version labwatch builds with) — which needs a Docker engine, and says so instead of
 * quietly testing something else.
 */
public final class KafkaBrokerExtension implements ParameterResolver {

  private static final Logger log = LoggerFactory.getLogger(KafkaBrokerExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  /**
   * The environment variable choosing the broker: {@code embedded} (default) or {@code
   * testcontainers}.
   */
  public static final String BROKER_ENV = "LABWATCH_TEST_BROKER";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent("broker", k -> start(System.getenv(BROKER_ENV)), TestKafka.class);
  }

  static TestKafka start(String choice) {
    String kind =
        choice == null || choice.isBlank() ? "embedded" : choice.trim().toLowerCase(Locale.ROOT);
    TestKafka kafka =
        switch (kind) {
          case "embedded" -> embedded();
          case "testcontainers" -> container();
          default ->
              throw new IllegalStateException(
                  BROKER_ENV
                      + "="
                      + choice
                      + " is not a broker kind: use embedded or testcontainers");
        };
    log.info("tests use a {} Kafka broker at {}", kafka.kind(), kafka.bootstrapServers());
    return kafka;
  }

  private static TestKafka embedded() {
    try {
      Path dir = Files.createTempDirectory("labwatch-test-broker");
      EmbeddedBroker broker = EmbeddedBroker.start(dir, "127.0.0.1", 0);
      return new TestKafka() {
        @Override
        public String bootstrapServers() {
          return broker.bootstrapServers();
        }

        @Override
        public String kind() {
          return "embedded KRaft";
        }

        @Override
        public void close() {
          broker.close();
          try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          } catch (java.io.IOException e) {
            log.warn("could not remove {}: {}", dir, e.toString());
          }
        }
      };
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create a temp dir for the test broker", e);
    }
  }

  private static TestKafka container() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new IllegalStateException(
          BROKER_ENV
              + "=testcontainers needs a running Docker engine, and none is reachable;"
              + " unset it to test against the embedded broker");
    }
    KafkaContainer container = new KafkaContainer("apache/kafka:" + AppInfoParser.getVersion());
    container.start();
    return new TestKafka() {
      @Override
      public String bootstrapServers() {
        return container.getBootstrapServers();
      }

      @Override
      public String kind() {
        return "Testcontainers";
      }

      @Override
      public void close() {
        container.stop();
      }
    };
  }
}
