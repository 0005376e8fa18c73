package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.Captures;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.producers.arp.CaptureRights;
import io.labwatch.producers.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class SensorArpPublishIT {

  @Test
  void aCaptureFileIsPublishedWithIpKeysCaptureTimestampsAndHeartbeats(
      TestKafka kafka, @TempDir Path dir) throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    // (re-dated to an hour ago: the topic keeps records by capture time, 30 days)
    Path file =
        Captures.redated(
            SensorArpCliTest.FIXTURES.resolve("ip-conflict.pcap"),
            dir.resolve("ip-conflict.pcap"),
            1,
            Instant.now().minus(Duration.ofHours(1)));

    Cli.Result r =
        new Cli()
            .run(
                "sensor",
                "arp",
                "--pcap",
                file.toString(),
                "--sensor-id",
                "lab-sw1",
                "-b",
                kafka.bootstrapServers(),
                "--topic-prefix",
                topics.prefix());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines())
        .containsExactly("read 15 packets from " + file + ": published 15 observations, skipped 0");
    List<ConsumerRecord<String, SensorEvent>> records = kafka.readAll(topics.arp());
    List<ConsumerRecord<String, SensorEvent>> observations =
        records.stream().filter(rec -> rec.value() instanceof ArpObservation).toList();
    assertThat(observations).hasSize(15);
    assertThat(observations)
        .allSatisfy(
            rec -> {
              ArpObservation o = (ArpObservation) rec.value();
              assertThat(rec.key()).isEqualTo(o.subjectIp().toString());
              assertThat(rec.timestamp()).isEqualTo(o.eventTime().toEpochMilli());
            });
    // every observation about the server's address is in one partition, in capture order
    assertThat(observations)
        .filteredOn(rec -> rec.key().equals("10.77.0.10"))
        .extracting(ConsumerRecord::partition)
        .containsOnly(
            observations.stream()
                .filter(rec -> rec.key().equals("10.77.0.10"))
                .findFirst()
                .orElseThrow()
                .partition());
    assertThat(records)
        .filteredOn(rec -> rec.value() instanceof Heartbeat)
        .extracting(ConsumerRecord::partition)
        .contains(0, 1, 2);
  }

  @Test
  void withoutRootOrCapNetRawTheErrorSaysHowToGrantIt(@TempDir Path dir) throws Exception {
    Requirements.root("running the sensor as another user");
    Requirements.command("runuser", "util-linux");
    Requirements.libpcap();
    Path jar = dir.resolve("labwatch.jar");
    Files.copy(Path.of("target", "labwatch.jar"), jar, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    Process p =
        new ProcessBuilder(
                "runuser",
                "-u",
                "nobody",
                "--",
                java,
                "-jar",
                jar.toString(),
                "sensor",
                "arp",
                "--iface",
                "lo",
                "--stdout")
            .directory(dir.toFile())
            .redirectErrorStream(false)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(err).isEqualTo(1);
    assertThat(err.lines().filter(l -> !l.isBlank()).toList())
        .containsExactly("labwatch: error: capturing on lo" + CaptureRights.HOW);
  }
}
