package io.labwatch.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  private final ConfigLoader loader = new ConfigLoader(Path.of("/nonexistent/labwatch.yml"));

  private LabwatchConfig load(String yaml, Map<String, String> env, ConfigLoader.FlagValue... flags)
      throws IOException {
    Path file = null;
    if (yaml != null) {
      file = dir.resolve("labwatch.yml");
      Files.writeString(file, yaml);
    }
    return loader.load(file, env, List.of(flags), dir).config();
  }

  @Test
  void withoutFileEnvOrFlagsTheDefaultsApply() throws IOException {
    LabwatchConfig config = load(null, Map.of());
    assertThat(config.broker().host()).isEqualTo("127.0.0.1");
    assertThat(config.broker().port()).isEqualTo(9092);
    assertThat(config.topics().prefix()).isEqualTo("labwatch.");
    assertThat(config.topics().replicationFactor()).isEqualTo(-1);
    assertThat(config.dataDir())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".local/share/labwatch"));
    assertThat(config.kafka()).isEmpty();
    assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(config.externalBootstrapServers()).isEmpty();
  }

  @Test
  void fileThenEnvironmentThenFlagsEachOverrideTheOneBefore() throws IOException {
    String yaml = "broker:\n  port: 9100\n  host: 127.0.0.2\ntopics:\n  prefix: lab1.\n";
    LabwatchConfig fileOnly = load(yaml, Map.of());
    assertThat(fileOnly.broker().port()).isEqualTo(9100);
    assertThat(fileOnly.broker().host()).isEqualTo("127.0.0.2");

    LabwatchConfig withEnv = load(yaml, Map.of("LABWATCH_BROKER_PORT", "9200"));
    assertThat(withEnv.broker().port()).isEqualTo(9200);
    assertThat(withEnv.broker().host()).isEqualTo("127.0.0.2");

    LabwatchConfig withFlag =
        load(
            yaml,
            Map.of("LABWATCH_BROKER_PORT", "9200"),
            new ConfigLoader.FlagValue("broker.port", "0", "--port"));
    assertThat(withFlag.broker().port()).isZero();
    assertThat(withFlag.topics().prefix()).isEqualTo("lab1.");
  }

  @Test
  void camelCaseKeysHaveSnakeCaseEnvironmentVariables() throws IOException {
    LabwatchConfig config =
        load(
            null,
            Map.of(
                "LABWATCH_DATA_DIR", "/srv/labwatch", "LABWATCH_TOPICS_REPLICATION_FACTOR", "3"));
    assertThat(config.dataDir()).isEqualTo(Path.of("/srv/labwatch"));
    assertThat(config.topics().replicationFactor()).isEqualTo(3);
  }

  @Test
  void kafkaSettingsPassThroughUnchangedFromFileAndEnvironment() throws IOException {
    String yaml =
        "kafka:\n"
            + "  bootstrap.servers: k1:9093,k2:9093\n"
            + "  security.protocol: SASL_SSL\n"
            + "  ssl:\n"
            + "    truststore:\n"
            + "      location: /etc/ssl/kafka.jks\n"
            + "  retries: 5\n";
    LabwatchConfig config = load(yaml, Map.of("LABWATCH_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"));
    assertThat(config.kafka())
        .containsEntry("bootstrap.servers", "k1:9093,k2:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.location", "/etc/ssl/kafka.jks")
        .containsEntry("retries", "5")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(config.externalBootstrapServers()).contains("k1:9093,k2:9093");
    assertThat(config.kafkaClientProperties()).containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void aBootstrapFlagOverridesTheFilesKafkaSection() throws IOException {
    LabwatchConfig config =
        load(
            "kafka:\n  bootstrap.servers: old:9092\n",
            Map.of(),
            new ConfigLoader.FlagValue(
                "kafka.bootstrap.servers", "new:9092", "--bootstrap-servers"));
    assertThat(config.bootstrapServers()).isEqualTo("new:9092");
  }

  @Test
  void anUnknownKeyFailsWithItsNameAndASuggestion() {
    assertThatThrownBy(() -> load("broker:\n  prot: 9093\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("broker.prot: unknown property (did you mean broker.port?)")
        .hasMessageContaining("labwatch.yml");
  }

  @Test
  void aKnownNameInTheWrongPlaceIsSuggestedWhereItBelongs() {
    assertThatThrownBy(() -> load("port: 9093\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("port: unknown property (did you mean broker.port?)");
    assertThatThrownBy(() -> load("data_dir: /x\n", Map.of()))
        .hasMessageStartingWith("data_dir: unknown property (did you mean dataDir?)");
  }

  @Test
  void anUnknownKeyFarFromAnyKnownOneFailsWithoutSuggestion() {
    assertThatThrownBy(() -> load("snmpCommunityStrings: x\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("snmpCommunityStrings: unknown property (in ");
  }

  @Test
  void theBoxWideFileIsReadLastWhenNoOtherIsNamedOrFound() throws IOException {
    Path system = Files.writeString(dir.resolve("etc-labwatch.yml"), "broker:\n  port: 9300\n");
    Path work = Files.createDirectories(dir.resolve("work"));
    ConfigLoader boxWide = new ConfigLoader(system);
    assertThat(boxWide.load(null, Map.of(), List.of(), work).config().broker().port())
        .isEqualTo(9300);
    // ./labwatch.yml comes first
    Files.writeString(work.resolve("labwatch.yml"), "broker:\n  port: 9400\n");
    assertThat(boxWide.load(null, Map.of(), List.of(), work).config().broker().port())
        .isEqualTo(9400);
  }

  @Test
  void aKeyWrittenTwiceIsRefusedNamingItAndBothLines() {
    String yaml = "detection:\n  quietPeriod: 5m\n  conflictWindow: 1m\n  quietPeriod: 20m\n";
    assertThatThrownBy(() -> load(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith(
            "labwatch.yml:4: detection.quietPeriod is set twice (first at line 2): only the last"
                + " would count; keep one");
    // the same name in two list entries is not a repeat
    String devices =
        "sensor:\n  snmp:\n    devices:\n      - {address: 10.77.0.1, name: a, community: c}\n"
            + "      - {address: 10.77.0.2, name: b, community: c}\n";
    assertThatCode(() -> load(devices, Map.of())).doesNotThrowAnyException();
  }

  @Test
  void fileErrorsNameTheLine() {
    assertThatThrownBy(() -> load("# the lab\ndetection:\n  quietPerod: 5m\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "detection.quietPerod: unknown property (did you mean detection.quietPeriod?)")
        .hasMessageEndingWith("labwatch.yml:3)");
    assertThatThrownBy(() -> load("broker:\n  host: x\n  port: ninety\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("broker.port: ")
        .hasMessageEndingWith("labwatch.yml:3)");
  }

  @Test
  void aTabInTheIndentationIsSaidAsSuch() {
    assertThatThrownBy(() -> load("detection:\n\tquietPeriod: 5m\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith(
            "labwatch.yml:2: a tab in the indentation; YAML indents with spaces only");
  }

  @Test
  void theLogLevelVariableIsTheLoggingConfigsNotAnUnknownKey() throws Exception {
    // (read by logback.xml: every command refused it as an unknown environment variable)
    assertThat(load(null, Map.of("LABWATCH_LOG_LEVEL", "debug"))).isEqualTo(load(null, Map.of()));
  }

  @Test
  void anUnknownEnvironmentVariableFailsWithASuggestion() {
    assertThatThrownBy(() -> load(null, Map.of("LABWATCH_BROKER_PROT", "1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "LABWATCH_BROKER_PROT: unknown environment variable (did you mean LABWATCH_BROKER_PORT?)");
  }

  @Test
  void environmentVariablesForTheLauncherAndTestsAreNotConfig() throws IOException {
    LabwatchConfig config =
        load(
            null,
            Map.of(
                "LABWATCH_JAVA_OPTS",
                "-Xmx1g",
                "LABWATCH_TEST_BROKER",
                "embedded",
                "PATH",
                "/bin"));
    assertThat(config.broker().port()).isEqualTo(9092);
  }

  @Test
  void aValueOfTheWrongTypeNamesKeyValueAndSource() {
    assertThatThrownBy(() -> load(null, Map.of("LABWATCH_BROKER_PORT", "ninety")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "broker.port: 'ninety' is not a whole number (from environment variable LABWATCH_BROKER_PORT)");
  }

  @Test
  void anOutOfRangeValueNamesKeyAndSource() {
    assertThatThrownBy(
            () ->
                load(null, Map.of(), new ConfigLoader.FlagValue("broker.port", "70000", "--port")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "broker.port: must be 0..65535 (0 picks a free port), got 70000 (from flag --port)");
  }

  @Test
  void anIllegalTopicPrefixNamesTheKey() {
    assertThatThrownBy(() -> load("topics:\n  prefix: 'my topics/'\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("topics.prefix: topic prefix 'my topics/' is not usable");
  }

  /** Issue 17: replay reaches back as far as the topics keep records; a lab can keep more. */
  @Test
  void topicRetentionsAreSetByShortNameAndABadOneNamesItsKey() throws IOException {
    LabwatchConfig config =
        load(
            "topics:\n  retention: {arp: 60d, alerts: forever}\n",
            Map.of("LABWATCH_TOPICS_RETENTION_HOST", "14d"));
    assertThat(config.catalogue().arp().retention()).isEqualTo(java.time.Duration.ofDays(60));
    assertThat(config.catalogue().host().retention()).isEqualTo(java.time.Duration.ofDays(14));
    assertThat(config.catalogue().alerts().retention()).isNegative();
    assertThat(config.catalogue().snmp().retention()).isEqualTo(java.time.Duration.ofDays(30));
    assertThat(config.catalogue().arp().configs()).containsEntry("retention.ms", "5184000000");
    assertThatThrownBy(() -> load("topics:\n  retention: {apr: 60d}\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("topics.retention: 'apr' is not one of labwatch's topics (arp,");
    assertThatThrownBy(() -> load("topics:\n  retention: {arp: a month}\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "topics.retention: arp: 'a month' is not a duration (30d, 12h) or forever");
  }

  @Test
  void aSectionWhereAValueBelongsIsRefused() {
    assertThatThrownBy(() -> load("broker: 9092\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("broker: expected a section with keys, got a value");
  }

  @Test
  void brokenYamlSaysWhere() {
    assertThatThrownBy(() -> load("broker:\n  port: [9092\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("labwatch.yml: line ")
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void aMissingConfigFileIsNamed() {
    Path missing = dir.resolve("nope.yml");
    assertThatThrownBy(() -> loader.load(missing, Map.of(), List.of(), dir))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config file " + missing + " does not exist");
  }

  @Test
  void anEmptyFileMeansDefaults() throws IOException {
    assertThat(load("", Map.of()).broker().port()).isEqualTo(9092);
    assertThat(load("# only a comment\n", Map.of()).broker().port()).isEqualTo(9092);
  }

  @Test
  void aKeyWithoutValueKeepsTheDefault() throws IOException {
    assertThat(load("broker:\n  port:\n", Map.of()).broker().port()).isEqualTo(9092);
  }

  @Test
  void labwatchYmlInTheWorkingDirectoryIsFoundAndReported() throws IOException {
    Files.writeString(dir.resolve("labwatch.yml"), "broker:\n  port: 9555\n");
    ConfigLoader.Loaded loaded = loader.load(Map.of(), dir);
    assertThat(loaded.config().broker().port()).isEqualTo(9555);
    assertThat(loaded.file()).contains(dir.resolve("labwatch.yml"));
  }

  @Test
  void labwatchConfigNamesTheFileWhenNoFlagDoes() throws IOException {
    Path other = dir.resolve("other.yml");
    Files.writeString(other, "broker:\n  port: 9666\n");
    ConfigLoader.Loaded loaded = loader.load(Map.of("LABWATCH_CONFIG", other.toString()), dir);
    assertThat(loaded.config().broker().port()).isEqualTo(9666);
    assertThat(loaded.file()).contains(other);
  }

  @Test
  void secretKafkaSettingsNeverShowInTheConfigsText() throws IOException {
    String jaas =
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"lab\" password=\"hunter2\";";
    LabwatchConfig config =
        load(
            null,
            Map.of(
                "LABWATCH_KAFKA_SASL_JAAS_CONFIG",
                jaas,
                "LABWATCH_KAFKA_SSL_KEY_PASSWORD",
                "s3cret"));
    assertThat(config.kafka()).containsEntry("sasl.jaas.config", jaas);
    assertThat(config.toString())
        .doesNotContain("hunter2")
        .doesNotContain("s3cret")
        .contains("[secret]");
  }

  @Test
  void theTildeMeansHome() throws IOException {
    assertThat(load("dataDir: ~/lw\n", Map.of()).dataDir())
        .isEqualTo(Path.of(System.getProperty("user.home"), "lw"));
  }

  @Test
  void theAnnotatedExampleLoadsAndStatesTheDefaults() {
    Path example = Path.of("..", "labwatch.example.yml");
    assertThat(example).exists();
    LabwatchConfig fromExample = loader.load(example, Map.of(), List.of(), dir).config();
    LabwatchConfig defaults = loader.load(Map.of(), dir).config();
    assertThat(fromExample).isEqualTo(defaults);
  }

  @Test
  void theArpSensorHasDocumentedDefaults() throws IOException {
    var arp = load(null, Map.of()).sensor().arp();
    assertThat(arp.interfaces()).isEmpty();
    assertThat(arp.promiscuous()).isTrue();
    assertThat(arp.sensorId()).isEmpty();
    assertThat(arp.heartbeatInterval()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(arp.probe().enabled()).isFalse();
    assertThat(arp.probe().interval()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(arp.probe().ratePerSecond()).isEqualTo(10);
  }

  @Test
  void theArpSensorsSegmentIsNoneByDefaultAndComesFromFileEnvironmentAndFlags() throws IOException {
    assertThat(load(null, Map.of()).sensor().arp().segment()).isNull();
    assertThat(load("sensor:\n  arp:\n    segment: lab-b\n", Map.of()).sensor().arp().segment())
        .isEqualTo("lab-b");
    assertThat(load(null, Map.of("LABWATCH_SENSOR_ARP_SEGMENT", "VLAN20")).sensor().arp().segment())
        .isEqualTo("vlan20");
    assertThat(
            load(
                    "sensor:\n  arp:\n    segment: lab-b\n",
                    Map.of(),
                    new ConfigLoader.FlagValue("sensor.arp.segment", "lab-c", "--segment"))
                .sensor()
                .arp()
                .segment())
        .isEqualTo("lab-c");
  }

  @Test
  void aSegmentThatIsNoNameNamesKeyValueAndSource() {
    assertThatThrownBy(
            () ->
                load(
                    null,
                    Map.of(),
                    new ConfigLoader.FlagValue("sensor.arp.segment", "lab b", "--segment")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sensor.arp.segment: not a segment name: 'lab b'")
        .hasMessageContaining("--segment");
  }

  @Test
  void listsComeCommaSeparatedFromEnvironmentAndFlags() throws IOException {
    var arp =
        load(
                "sensor:\n  arp:\n    interfaces: [eth9]\n",
                Map.of("LABWATCH_SENSOR_ARP_INTERFACES", "eth0, eth1"),
                new ConfigLoader.FlagValue(
                    "sensor.arp.probe.targets", "10.77.0.10,10.77.0.1", "--probe"))
            .sensor()
            .arp();
    assertThat(arp.interfaces()).containsExactly("eth0", "eth1");
    assertThat(arp.probe().targets())
        .containsExactly(
            io.labwatch.events.IpAddress.of("10.77.0.10"),
            io.labwatch.events.IpAddress.of("10.77.0.1"));
  }

  @Test
  void aProbeTargetThatIsNotAnAddressNamesKeyValueAndSource() {
    assertThatThrownBy(
            () ->
                load(
                    null,
                    Map.of(),
                    new ConfigLoader.FlagValue("sensor.arp.probe.targets", "10.77.0.x", "--probe")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("sensor.arp.probe.targets: not an IP address: '10.77.0.x' (from flag --probe)");
  }

  @Test
  void tooManyProbesForTheIntervalAreRefused() {
    assertThatThrownBy(
            () ->
                load(
                    "sensor:\n  arp:\n    probe:\n      targets: [10.0.0.1, 10.0.0.2, 10.0.0.3]\n"
                        + "      interval: 1s\n      ratePerSecond: 2\n",
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "sensor.arp.probe.ratePerSecond: 3 targets at 2/s take longer than the 1s interval");
  }

  @Test
  void theHostSensorIsOnByDefaultAndItsKeysComeFromFileEnvironmentAndFlags() throws IOException {
    assertThat(load(null, Map.of()).sensor().host())
        .isEqualTo(io.labwatch.producers.host.HostSensorConfig.defaults());

    LabwatchConfig config =
        load(
            "sensor:\n  host:\n    enabled: false\n    interval: 30s\n    gpus: false\n",
            Map.of("LABWATCH_SENSOR_HOST_HOST_NAME", "yamato"),
            new ConfigLoader.FlagValue("sensor.host.interval", "1m", "--interval"));

    assertThat(config.sensor().host().enabled()).isFalse();
    assertThat(config.sensor().host().gpus()).isFalse();
    assertThat(config.sensor().host().resolvedHostName()).isEqualTo("yamato");
    assertThat(config.sensor().host().interval()).isEqualTo(java.time.Duration.ofMinutes(1));
  }

  @Test
  void aBadHostSensorValueOrKeyIsOneLineNamingTheKey() {
    assertThatThrownBy(() -> load("sensor:\n  host:\n    interval: 100ms\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sensor.host.interval: must be between 1s and 1h, got 0.1s (from ");
    assertThatThrownBy(() -> load("sensor:\n  host:\n    intervall: 30s\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "sensor.host.intervall: unknown property (did you mean sensor.host.interval?)");
    assertThatThrownBy(() -> load("sensor:\n  host:\n    enabled: maybe\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sensor.host.enabled: ")
        .hasMessageContaining("true or false");
    assertThatThrownBy(() -> load("", Map.of("LABWATCH_SENSOR_HOST_HOST_NAME", "two words")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "sensor.host.hostName: must not contain spaces or control characters, got 'two"
                + " words' (from environment variable LABWATCH_SENSOR_HOST_HOST_NAME)");
  }

  @Test
  void theHealthRulesAreSetUnderDetectionHealthAndABadOneNamesItsKey() throws IOException {
    LabwatchConfig config =
        load(
            "detection:\n  health:\n    warmUp: 5m\n    cpu: {floor: 0.7, critical: 0.95, minDeviation: 0.05}\n",
            Map.of("LABWATCH_DETECTION_HEALTH_PROBE_QUIET", "2m"));
    assertThat(config.detection().health().warmUp()).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(config.detection().health().cpu().floor()).isEqualTo(0.7);
    assertThat(config.detection().health().probeQuiet()).isEqualTo(java.time.Duration.ofMinutes(2));
    // what is not set keeps its default
    assertThat(config.detection().health().deviations()).isEqualTo(4.0);
    assertThatThrownBy(() -> load("detection:\n  health:\n    resolveDeviations: 5\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "detection.health.resolveDeviations: must be >= 0 and less than deviations (4.0), got 5.0");
    assertThatThrownBy(
            () -> load("detection:\n  health:\n    cpu: {floor: 0.9, critical: 0.5}\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("detection.health.cpu: needs floor >= 0, critical >= floor");
  }

  @Test
  void snmpDevicesAreAddressesOrMappingsThatTakeTheSensorsSettingsForWhatTheyLeaveOut()
      throws IOException {
    String yaml =
        String.join(
            "\n",
            "sensor:",
            "  snmp:",
            "    community: lab-community",
            "    interval: 1m",
            "    devices:",
            "      - 10.77.0.1",
            "      - {address: 'core-sw.lab:1161', name: core-sw, version: v3, user: labwatch,",
            "         authProtocol: SHA-256, authPassphrase: auth-passphrase,",
            "         privProtocol: AES-256, privPassphrase: priv-passphrase, tables: [interfaces]}",
            "");
    var devices = load(yaml, Map.of()).sensor().snmp().resolved();

    assertThat(devices).hasSize(2);
    assertThat(devices.get(0).name()).isEqualTo("10.77.0.1");
    assertThat(devices.get(0).community()).isEqualTo("lab-community");
    assertThat(devices.get(0).interval()).isEqualTo(java.time.Duration.ofMinutes(1));
    assertThat(devices.get(1).name()).isEqualTo("core-sw");
    assertThat(devices.get(1).address()).isEqualTo("core-sw.lab:1161");
    assertThat(devices.get(1).securityLevel()).isEqualTo("authPriv");
    assertThat(devices.get(1).tables())
        .containsExactly(io.labwatch.producers.snmp.SnmpSensorConfig.Table.INTERFACES);
  }

  @Test
  void snmpDevicesAndTheCommunityComeFromTheEnvironmentToo() throws IOException {
    LabwatchConfig config =
        load(
            null,
            Map.of(
                "LABWATCH_SENSOR_SNMP_DEVICES", "10.77.0.1, 10.77.0.2:1161",
                "LABWATCH_SENSOR_SNMP_COMMUNITY", "from-env"));
    assertThat(config.sensor().snmp().resolved())
        .extracting(d -> d.address() + " " + d.community())
        .containsExactly("10.77.0.1:161 from-env", "10.77.0.2:1161 from-env");
  }

  @Test
  void anUnknownKeyOfADeviceNamesItsPlaceASuggestionAndTheFile() {
    assertThatThrownBy(
            () ->
                load(
                    "sensor:\n  snmp:\n    devices:\n      - 10.77.0.1\n"
                        + "      - {address: 10.77.0.2, comunity: public}\n",
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "sensor.snmp.devices[1].comunity: unknown property (did you mean community?) (from ")
        .hasMessageContaining("labwatch.yml");
  }

  @Test
  void aV2cDeviceWithoutACommunityIsRefusedNamingTheKeyAndTheDevice() {
    assertThatThrownBy(() -> load("sensor:\n  snmp:\n    devices: [10.77.0.1]\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "sensor.snmp.devices: 10.77.0.1: SNMP v2c needs a community (the device's community,"
                + " sensor.snmp.community, or LABWATCH_SENSOR_SNMP_COMMUNITY)");
  }

  @Test
  void snmpSecretsNeverShowInTheConfigsTextNorInItsErrors() throws IOException {
    String yaml =
        "sensor:\n  snmp:\n    community: top-community\n    devices:\n"
            + "      - {address: 10.77.0.1, community: dev-community, authPassphrase: dev-auth-pass}\n";
    LabwatchConfig config = load(yaml, Map.of());
    String text = config.toString() + loader.keys(config);
    assertThat(text)
        .doesNotContain("top-community")
        .doesNotContain("dev-community")
        .doesNotContain("dev-auth-pass");
    assertThat(loader.keys(config).get("sensor.snmp.devices"))
        .contains("\"community\":\"[secret]\"");
    assertThat(loader.keys(config).get("sensor.snmp.community")).isEqualTo("[secret]");

    // a secret of the wrong kind is named by its key, never shown
    assertThatThrownBy(
            () ->
                load(
                    "sensor:\n  snmp:\n    devices:\n"
                        + "      - {address: 10.77.0.1, community: [a-list-of-secret-things]}\n",
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sensor.snmp.devices[0].community: ")
        .hasMessageNotContaining("secret-things");
  }
}
