package io.labwatch.producers.snmp;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The SNMP sensor's settings ({@code sensor.snmp.*}): the devices to poll, and the defaults each
 * device takes for what it does not set itself. No devices, no polling.
 *
 * <p>Communities and v3 passphrases are secrets: {@link #toString()} and {@link Device#toString()}
 * never show them, and nothing in this package logs or throws them.
 *
 * @param devices the devices to poll
 * @param version SNMP version of devices that do not say: {@code v2c} or {@code v3}
 * @param community v2c community of devices that do not set their own
 * @param user v3 user name
 * @param authProtocol v3 authentication: MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
 * @param authPassphrase v3 authentication passphrase; empty for noAuthNoPriv
 * @param privProtocol v3 privacy: AES (128), AES-192, AES-256 (Blumenthal key extension, as
 *     Net-SNMP), DES
 * @param privPassphrase v3 privacy passphrase; empty for authNoPriv
 * @param interval how often each device is polled
 * @param timeout how long to wait for an answer to one request
 * @param retries how many times an unanswered request is sent again
 * @param maxRepetitions GETBULK max-repetitions: rows asked for per column in one request of the
 *     interface walk (19 columns or more); the ARP table's walk (2 columns) asks for as many values
 *     per request, i.e. about ten times the rows (at most 1000)
 * @param tables what to poll: {@code arp} (ipNetToMediaTable), {@code interfaces} (ifXTable,
 *     ifTable)
 * @param refreshInterval every ARP-table entry is published again this often, changed or not, so a
 *     detection that lost its state relearns the table
 * @param heartbeatInterval a heartbeat per device this often
 */
public record SnmpSensorConfig(
    List<Device> devices,
    Version version,
    String community,
    String user,
    String authProtocol,
    String authPassphrase,
    String privProtocol,
    String privPassphrase,
    Duration interval,
    Duration timeout,
    int retries,
    int maxRepetitions,
    List<Table> tables,
    Duration refreshInterval,
    Duration heartbeatInterval) {

  /** What ships: no devices; v2c; every 30 s, 2 s per request, one retry; both tables. */
  public static SnmpSensorConfig defaults() {
    return new SnmpSensorConfig(
        List.of(),
        Version.V2C,
        "",
        "",
        "SHA",
        "",
        "AES",
        "",
        Duration.ofSeconds(30),
        Duration.ofSeconds(2),
        1,
        25,
        List.of(Table.ARP, Table.INTERFACES),
        Duration.ofMinutes(10),
        Duration.ofSeconds(10));
  }

  public SnmpSensorConfig {
    devices = devices == null ? List.of() : List.copyOf(devices);
    version = version == null ? Version.V2C : version;
    community = community == null ? "" : community;
    user = user == null ? "" : user.trim();
    authProtocol = authProtocol == null || authProtocol.isBlank() ? "SHA" : authProtocol.trim();
    authPassphrase = authPassphrase == null ? "" : authPassphrase;
    privProtocol = privProtocol == null || privProtocol.isBlank() ? "AES" : privProtocol.trim();
    privPassphrase = privPassphrase == null ? "" : privPassphrase;
    Auth.of(authProtocol, "authProtocol");
    Priv.of(privProtocol, "privProtocol");
    interval = between(interval, Duration.ofSeconds(1), Duration.ofHours(1), "interval");
    timeout = between(timeout, Duration.ofMillis(100), Duration.ofMinutes(1), "timeout");
    if (retries < 0 || retries > 10) {
      throw new IllegalArgumentException("retries: must be 0..10, got " + retries);
    }
    if (maxRepetitions < 1 || maxRepetitions > 1000) {
      throw new IllegalArgumentException("maxRepetitions: must be 1..1000, got " + maxRepetitions);
    }
    tables = tables == null || tables.isEmpty() ? List.of(Table.ARP, Table.INTERFACES) : tables;
    tables = List.copyOf(new java.util.LinkedHashSet<>(tables));
    refreshInterval =
        between(refreshInterval, Duration.ofSeconds(1), Duration.ofDays(1), "refreshInterval");
    heartbeatInterval =
        between(
            heartbeatInterval, Duration.ofMillis(100), Duration.ofHours(1), "heartbeatInterval");
    // every device is resolved now, so that a device that cannot be polled fails the load
    Set<String> names = new HashSet<>();
    for (Device d : devices) {
      DeviceSettings s =
          resolve(
              d,
              version,
              community,
              user,
              authProtocol,
              authPassphrase,
              privProtocol,
              privPassphrase,
              interval,
              timeout,
              retries,
              tables);
      if (!names.add(s.name())) {
        throw new IllegalArgumentException(
            "devices: two devices are named " + s.name() + "; give one a name of its own");
      }
    }
  }

  /** Whether any device is configured. */
  public boolean enabled() {
    return !devices.isEmpty();
  }

  /** Every device with the defaults filled in. */
  public List<DeviceSettings> resolved() {
    List<DeviceSettings> out = new ArrayList<>();
    for (Device d : devices) {
      out.add(
          resolve(
              d,
              version,
              community,
              user,
              authProtocol,
              authPassphrase,
              privProtocol,
              privPassphrase,
              interval,
              timeout,
              retries,
              tables));
    }
    return out;
  }

  /** These settings polling only {@code device} instead of the configured devices. */
  public SnmpSensorConfig withDevices(List<Device> only) {
    return new SnmpSensorConfig(
        only,
        version,
        community,
        user,
        authProtocol,
        authPassphrase,
        privProtocol,
        privPassphrase,
        interval,
        timeout,
        retries,
        maxRepetitions,
        tables,
        refreshInterval,
        heartbeatInterval);
  }

  private static DeviceSettings resolve(
      Device d,
      Version version,
      String community,
      String user,
      String authProtocol,
      String authPassphrase,
      String privProtocol,
      String privPassphrase,
      Duration interval,
      Duration timeout,
      int retries,
      List<Table> tables) {
    if (d == null) {
      throw new IllegalArgumentException("devices: an entry is empty");
    }
    String where = "devices: " + d.address();
    try {
      Version v = d.version() != null ? d.version() : version;
      String c = d.community() != null ? d.community() : community;
      String u = d.user() != null ? d.user().trim() : user;
      String ap = d.authProtocol() != null ? d.authProtocol().trim() : authProtocol;
      String apw = d.authPassphrase() != null ? d.authPassphrase() : authPassphrase;
      String pp = d.privProtocol() != null ? d.privProtocol().trim() : privProtocol;
      String ppw = d.privPassphrase() != null ? d.privPassphrase() : privPassphrase;
      if (v == Version.V2C && c.isEmpty()) {
        throw new IllegalArgumentException(
            "SNMP v2c needs a community (the device's community, sensor.snmp.community, or"
                + " LABWATCH_SENSOR_SNMP_COMMUNITY)");
      }
      Auth auth = Auth.of(ap, "authProtocol");
      Priv priv = Priv.of(pp, "privProtocol");
      if (v == Version.V3) {
        if (u.isEmpty()) {
          throw new IllegalArgumentException(
              "SNMP v3 needs a user (the device's user, or sensor.snmp.user)");
        }
        if (u.length() > 32) {
          throw new IllegalArgumentException(
              "the v3 user name '" + u + "' is longer than SNMP's 32 characters");
        }
        if (!apw.isEmpty() && apw.length() < 8) {
          throw new IllegalArgumentException(
              "the v3 authentication passphrase is shorter than 8 characters (SNMP v3 needs 8)");
        }
        if (!ppw.isEmpty() && ppw.length() < 8) {
          throw new IllegalArgumentException(
              "the v3 privacy passphrase is shorter than 8 characters (SNMP v3 needs 8)");
        }
        if (apw.isEmpty() && !ppw.isEmpty()) {
          throw new IllegalArgumentException(
              "a v3 privacy passphrase needs an authentication passphrase too (authPriv)");
        }
      }
      return new DeviceSettings(
          d.name() == null || d.name().isBlank() ? d.address() : d.name().trim(),
          d.host(),
          d.port(),
          v,
          c,
          u,
          auth,
          apw,
          priv,
          ppw,
          d.interval() != null
              ? between(d.interval(), Duration.ofSeconds(1), Duration.ofHours(1), "interval")
              : interval,
          d.timeout() != null
              ? between(d.timeout(), Duration.ofMillis(100), Duration.ofMinutes(1), "timeout")
              : timeout,
          d.retries() != null ? d.retries() : retries,
          d.tables() != null && !d.tables().isEmpty()
              ? List.copyOf(new java.util.LinkedHashSet<>(d.tables()))
              : tables);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static Duration between(Duration d, Duration min, Duration max, String key) {
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          key
              + ": must be between "
              + min.toString().substring(2).toLowerCase(Locale.ROOT)
              + " and "
              + max.toString().substring(2).toLowerCase(Locale.ROOT)
              + ", got "
              + d);
    }
    return d;
  }

  @Override
  public String toString() {
    return "SnmpSensorConfig[devices="
        + devices
        + ", version="
        + version
        + ", community="
        + Device.secret(community)
        + ", user="
        + user
        + ", authProtocol="
        + authProtocol
        + ", authPassphrase="
        + Device.secret(authPassphrase)
        + ", privProtocol="
        + privProtocol
        + ", privPassphrase="
        + Device.secret(privPassphrase)
        + ", interval="
        + interval
        + ", timeout="
        + timeout
        + ", retries="
        + retries
        + ", maxRepetitions="
        + maxRepetitions
        + ", tables="
        + tables
        + ", refreshInterval="
        + refreshInterval
        + ", heartbeatInterval="
        + heartbeatInterval
        + "]";
  }

  /** SNMP version. */
  public enum Version {
    V2C("v2c"),
    V3("v3");

    private final String text;

    Version(String text) {
      this.text = text;
    }

    @JsonValue
    public String text() {
      return text;
    }

    @JsonCreator
    public static Version of(String text) {
      for (Version v : values()) {
        if (v.text.equalsIgnoreCase(text == null ? "" : text.trim())) {
          return v;
        }
      }
      throw new IllegalArgumentException("must be v2c or v3, got " + text);
    }
  }

  /** What a device is polled for. */
  public enum Table {
    /** The router's ARP table, ipNetToMediaTable: into {@code labwatch.arp}. */
    ARP("arp"),
    /** Interface counters, ifXTable (ifTable without it): into {@code labwatch.snmp}. */
    INTERFACES("interfaces"),
    /**
     * The router's IPv6 neighbours, ipNetToPhysicalTable's IPv6 rows: into {@code labwatch.arp}.
     * Not polled unless asked for: Debian 12's Net-SNMP 5.9.3 answers a changed neighbour with a
     * wrong MAC (only its first byte new) until its cache expires, about a minute.
     */
    IPV6("ipv6");

    private final String text;

    Table(String text) {
      this.text = text;
    }

    @JsonValue
    public String text() {
      return text;
    }

    @JsonCreator
    public static Table of(String text) {
      for (Table t : values()) {
        if (t.text.equalsIgnoreCase(text == null ? "" : text.trim())) {
          return t;
        }
      }
      throw new IllegalArgumentException("must be arp, interfaces or ipv6, got " + text);
    }
  }

  /** v3 authentication protocols, by the names Net-SNMP gives them. */
  public enum Auth {
    MD5,
    SHA,
    SHA_224,
    SHA_256,
    SHA_384,
    SHA_512;

    static Auth of(String text, String key) {
      String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      if (t.equals("SHA1") || t.equals("SHA_1")) {
        return SHA;
      }
      for (Auth a : values()) {
        if (a.name().equals(t)) {
          return a;
        }
      }
      throw new IllegalArgumentException(
          key + ": must be one of MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512, got " + text);
    }
  }

  /** v3 privacy protocols, by the names Net-SNMP gives them. */
  public enum Priv {
    DES,
    AES,
    AES_192,
    AES_256;

    static Priv of(String text, String key) {
      String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      if (t.equals("AES128") || t.equals("AES_128")) {
        return AES;
      }
      if (t.equals("AES192")) {
        return AES_192;
      }
      if (t.equals("AES256")) {
        return AES_256;
      }
      for (Priv p : values()) {
        if (p.name().equals(t)) {
          return p;
        }
      }
      throw new IllegalArgumentException(
          key + ": must be one of AES, AES-192, AES-256, DES, got " + text);
    }
  }

  /**
   * One device as configured: what it leaves out (null) it takes from the sensor's settings. In
   * YAML a device is a mapping, or just its address ({@code 10.77.0.1}, {@code router:1161}, {@code
   * [fe80::1]:161}).
   *
   * @param address {@code host}, {@code host:port} or {@code [v6]:port}; port 161 unless given
   * @param name the device's sensor id in events and alerts; default: its address
   */
  public record Device(
      String address,
      String name,
      Version version,
      String community,
      String user,
      String authProtocol,
      String authPassphrase,
      String privProtocol,
      String privPassphrase,
      Duration interval,
      Duration timeout,
      Integer retries,
      List<Table> tables) {

    public Device {
      if (address == null || address.isBlank()) {
        throw new IllegalArgumentException("devices: a device needs an address");
      }
      address = address.trim();
      parse(address); // refuses a bad address now
      tables = tables == null ? null : List.copyOf(tables);
      if (retries != null && (retries < 0 || retries > 10)) {
        throw new IllegalArgumentException(
            "devices: " + address + ": retries must be 0..10, got " + retries);
      }
    }

    /** A device given by its address alone, taking every setting from the sensor's. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Device of(String address) {
      return new Device(
          address, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The JSON form (a mapping), secrets included: for binding only, never for printing. */
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    static Device fromJson(
        @JsonProperty("address") String address,
        @JsonProperty("name") String name,
        @JsonProperty("version") Version version,
        @JsonProperty("community") String community,
        @JsonProperty("user") String user,
        @JsonProperty("authProtocol") String authProtocol,
        @JsonProperty("authPassphrase") String authPassphrase,
        @JsonProperty("privProtocol") String privProtocol,
        @JsonProperty("privPassphrase") String privPassphrase,
        @JsonProperty("interval") Duration interval,
        @JsonProperty("timeout") Duration timeout,
        @JsonProperty("retries") Integer retries,
        @JsonProperty("tables") List<Table> tables) {
      return new Device(
          address,
          name,
          version,
          community,
          user,
          authProtocol,
          authPassphrase,
          privProtocol,
          privPassphrase,
          interval,
          timeout,
          retries,
          tables);
    }

    String host() {
      return parse(address)[0];
    }

    int port() {
      return Integer.parseInt(parse(address)[1]);
    }

    /** {@code [host, port]} of an address. */
    static String[] parse(String address) {
      String host;
      String port = "161";
      if (address.startsWith("[")) {
        int close = address.indexOf(']');
        if (close < 0) {
          throw new IllegalArgumentException("devices: '" + address + "' lacks its ']'");
        }
        host = address.substring(1, close);
        String rest = address.substring(close + 1);
        if (rest.startsWith(":")) {
          port = rest.substring(1);
        } else if (!rest.isEmpty()) {
          throw new IllegalArgumentException(
              "devices: '" + address + "' is not an address ([v6]:port)");
        }
      } else {
        int colon = address.indexOf(':');
        if (colon >= 0 && address.indexOf(':', colon + 1) >= 0) {
          host = address; // an IPv6 address without a port
        } else if (colon >= 0) {
          host = address.substring(0, colon);
          port = address.substring(colon + 1);
        } else {
          host = address;
        }
      }
      if (host.isBlank() || host.chars().anyMatch(ch -> Character.isWhitespace(ch))) {
        throw new IllegalArgumentException("devices: '" + address + "' is not an address");
      }
      int p;
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        p = -1;
      }
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException(
            "devices: '" + address + "' has no usable port (1..65535)");
      }
      return new String[] {host, Integer.toString(p)};
    }

    static String secret(String value) {
      return value == null ? "null" : value.isEmpty() ? "\"\"" : "[secret]";
    }

    @Override
    public String toString() {
      return "Device[address="
          + address
          + ", name="
          + name
          + ", version="
          + version
          + ", community="
          + secret(community)
          + ", user="
          + user
          + ", authProtocol="
          + authProtocol
          + ", authPassphrase="
          + secret(authPassphrase)
          + ", privProtocol="
          + privProtocol
          + ", privPassphrase="
          + secret(privPassphrase)
          + ", interval="
          + interval
          + ", timeout="
          + timeout
          + ", retries="
          + retries
          + ", tables="
          + tables
          + "]";
    }
  }

  /**
   * A device with every setting decided.
   *
   * @param name its sensor id
   */
  public record DeviceSettings(
      String name,
      String host,
      int port,
      Version version,
      String community,
      String user,
      Auth auth,
      String authPassphrase,
      Priv priv,
      String privPassphrase,
      Duration interval,
      Duration timeout,
      int retries,
      List<Table> tables) {

    /** {@code host:port} (IPv6 in brackets), for messages. */
    public String address() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public boolean polls(Table t) {
      return tables.contains(t);
    }

    /** The v3 security level, by Net-SNMP's name. */
    public String securityLevel() {
      return authPassphrase.isEmpty()
          ? "noAuthNoPriv"
          : privPassphrase.isEmpty() ? "authNoPriv" : "authPriv";
    }

    @Override
    public String toString() {
      return "DeviceSettings[" + name + " at " + address() + ", " + version.text() + "]";
    }
  }
}
