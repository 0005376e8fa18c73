package io.labwatch.producers.snmp;

import io.labwatch.producers.snmp.SnmpSensorConfig.DeviceSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicLong;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.SNMP4JSettings;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES192;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * One snmp4j session — one UDP socket, one receiving thread — for every device: requests of many
 * devices are in flight at once, each waiting on its own timeout. v3 users are kept per engine (the
 * USM localises their keys to each agent's engine ID, found by discovery), so devices that share a
 * user name with different passphrases do not mix.
 *
 * <p>Secrets stay in snmp4j's targets and user table: nothing here prints a target, and snmp4j logs
 * nothing unless a log factory is installed (labwatch installs none).
 */
final class Snmp4jSession implements AutoCloseable {

  /** The UDP socket's receive buffer asked for. */
  static final int RECEIVE_BUFFER_BYTES = 4 << 20;

  private final Snmp snmp;
  private final USM usm;

  private Snmp4jSession(Snmp snmp, USM usm) {
    this.snmp = snmp;
    this.usm = usm;
  }

  /** Opens the socket (an ephemeral UDP port on every interface) and starts listening. */
  static Snmp4jSession open() throws IOException {
    // An agent refuses a v3 request it cannot authenticate (a wrong authentication passphrase)
    // with an unauthenticated report (usmStatsWrongDigests), as RFC 3414 says it must; snmp4j
    // drops such reports unless told to take them, and the refusal would look like no answer.
    // (A forged report can at worst fail one poll, as a dropped packet can.)
    SNMP4JSettings.setReportSecurityLevelStrategy(
        SNMP4JSettings.ReportSecurityLevelStrategy.noAuthNoPrivIfNeeded);
    SecurityProtocols protocols = SecurityProtocols.getInstance();
    protocols.addAuthenticationProtocol(new AuthMD5());
    protocols.addAuthenticationProtocol(new AuthSHA());
    protocols.addAuthenticationProtocol(new AuthHMAC128SHA224());
    protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
    protocols.addAuthenticationProtocol(new AuthHMAC256SHA384());
    protocols.addAuthenticationProtocol(new AuthHMAC384SHA512());
    protocols.addPrivacyProtocol(new PrivDES());
    protocols.addPrivacyProtocol(new PrivAES128());
    protocols.addPrivacyProtocol(new PrivAES192());
    protocols.addPrivacyProtocol(new PrivAES256());
    USM usm = new USM(protocols, new OctetString(MPv3.createLocalEngineID()), 0);
    MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
    dispatcher.addMessageProcessingModel(new MPv2c());
    dispatcher.addMessageProcessingModel(new MPv3(usm));
    DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping();
    transport.setThreadName("labwatch-snmp-receive");
    // Answers are decoded on the receiving thread (MessageDispatcherImpl), into values of their
    // own, so one receive buffer serves every datagram; by default snmp4j allocates a fresh 64 KiB
    // buffer per datagram in case another thread decodes it later (three quarters of what a poll
    // of a big table allocated).
    transport.setAsyncMsgProcessingSupported(false);
    // Every device's answers arrive on this one socket, up to tens of KiB each: with 20 routers
    // answering at once the kernel's default buffer overflowed and answers were lost (each then
    // waited out its timeout). The kernel caps this at net.core.rmem_max.
    transport.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
    Snmp snmp = new Snmp(dispatcher, transport);
    snmp.listen();
    return new Snmp4jSession(snmp, usm);
  }

  /** A client for one device; it keeps the device's engine ID (v3) between polls. */
  Client client(DeviceSettings device) {
    return new Client(device);
  }

  @Override
  public void close() {
    try {
      snmp.close();
    } catch (IOException e) {
      // closing a UDP socket: nothing to tell
    }
  }

  /** One device's requests. */
  final class Client implements SnmpClient {

    private final DeviceSettings device;
    private final AtomicLong responses = new AtomicLong();
    private volatile byte[] engineId;

    Client(DeviceSettings device) {
      this.device = device;
    }

    /** Responses (and reports) received from the device so far. */
    @Override
    public long responses() {
      return responses.get();
    }

    @Override
    public PDU newPdu() {
      return device.version() == SnmpSensorConfig.Version.V3 ? new ScopedPDU() : new PDU();
    }

    @Override
    public PDU send(PDU request) throws PollFailure {
      UdpAddress address = address();
      Target<UdpAddress> target =
          device.version() == SnmpSensorConfig.Version.V3
              ? userTarget(address)
              : community(address);
      ResponseEvent<UdpAddress> event;
      try {
        event = snmp.send(request, target);
      } catch (IOException | RuntimeException e) {
        throw new PollFailure(PollFailure.Kind.LOCAL, "cannot send to it: " + oneLine(e));
      }
      PDU response = event == null ? null : event.getResponse();
      if (response == null) {
        if (event != null && event.getError() != null) {
          throw new PollFailure(
              PollFailure.Kind.GARBAGE, "its answer was not usable: " + oneLine(event.getError()));
        }
        // An agent that comes back with another engine ID (reinstalled, reset, replaced, or a
        // Net-SNMP without its persistent state) answers usmStatsUnknownEngineIDs from that ID,
        // which snmp4j drops as not matching the request: it would be "no answer" for good.
        // Discovering the engine again at the next poll finds it.
        engineId = null;
        throw noAnswer();
      }
      responses.incrementAndGet();
      if (response.getType() == PDU.REPORT) {
        throw report(response);
      }
      if (response.getType() != PDU.RESPONSE) {
        throw new PollFailure(
            PollFailure.Kind.GARBAGE,
            "nonsense from the agent: a " + PDU.getTypeString(response.getType()) + " PDU");
      }
      return response;
    }

    private UdpAddress address() throws PollFailure {
      try {
        return new UdpAddress(InetAddress.getByName(device.host()), device.port());
      } catch (UnknownHostException e) {
        throw new PollFailure(
            PollFailure.Kind.LOCAL, "cannot resolve " + device.host() + " (no such host)");
      }
    }

    private long timeoutMs() {
      return device.timeout().toMillis();
    }

    private Target<UdpAddress> community(UdpAddress address) {
      CommunityTarget<UdpAddress> t =
          new CommunityTarget<>(address, new OctetString(device.community()));
      t.setVersion(SnmpConstants.version2c);
      t.setTimeout(timeoutMs());
      t.setRetries(device.retries());
      return t;
    }

    private Target<UdpAddress> userTarget(UdpAddress address) throws PollFailure {
      byte[] engine = engineId;
      if (engine == null) {
        engine = snmp.discoverAuthoritativeEngineID(address, timeoutMs() * (device.retries() + 1));
        if (engine == null || engine.length == 0) {
          throw noAnswer();
        }
        OctetString user = new OctetString(device.user());
        usm.removeAllUsers(user, new OctetString(engine));
        usm.addUser(
            new UsmUser(
                user,
                device.authPassphrase().isEmpty() ? null : authProtocol(),
                device.authPassphrase().isEmpty() ? null : new OctetString(device.authPassphrase()),
                device.privPassphrase().isEmpty() ? null : privProtocol(),
                device.privPassphrase().isEmpty()
                    ? null
                    : new OctetString(device.privPassphrase())),
            new OctetString(engine));
        engineId = engine;
      }
      UserTarget<UdpAddress> t = new UserTarget<>(address, new OctetString(device.user()), engine);
      t.setSecurityLevel(
          device.authPassphrase().isEmpty()
              ? SecurityLevel.NOAUTH_NOPRIV
              : device.privPassphrase().isEmpty()
                  ? SecurityLevel.AUTH_NOPRIV
                  : SecurityLevel.AUTH_PRIV);
      t.setTimeout(timeoutMs());
      t.setRetries(device.retries());
      return t;
    }

    private OID authProtocol() {
      return switch (device.auth()) {
        case MD5 -> AuthMD5.ID;
        case SHA -> AuthSHA.ID;
        case SHA_224 -> AuthHMAC128SHA224.ID;
        case SHA_256 -> AuthHMAC192SHA256.ID;
        case SHA_384 -> AuthHMAC256SHA384.ID;
        case SHA_512 -> AuthHMAC384SHA512.ID;
      };
    }

    private OID privProtocol() {
      return switch (device.priv()) {
        case DES -> PrivDES.ID;
        case AES -> PrivAES128.ID;
        case AES_192 -> PrivAES192.ID;
        case AES_256 -> PrivAES256.ID;
      };
    }

    private PollFailure noAnswer() {
      int tries = device.retries() + 1;
      String waited =
          "no answer within "
              + Durations.text(device.timeout())
              + (tries > 1 ? " (" + tries + " tries)" : "");
      return new PollFailure(
          PollFailure.Kind.TIMEOUT,
          device.version() == SnmpSensorConfig.Version.V2C
              ? waited
                  + ": is the agent running, and is the community right? (an agent ignores a"
                  + " wrong community)"
              : device.privPassphrase().isEmpty()
                  ? waited + ": is the agent running there?"
                  : waited
                      + ": is the agent running, and are the privacy passphrase and protocol"
                      + " right? (an agent ignores what it cannot decrypt)");
    }

    /** A v3 agent's refusal: what its report counter names, said so a person can fix it. */
    private PollFailure report(PDU response) {
      OID counter =
          response.size() == 0 || response.get(0) == null ? null : response.get(0).getOid();
      String user = "'" + device.user() + "'";
      String why;
      if (counter == null) {
        why = "the agent refused the request (an empty report)";
      } else if (counter.startsWith(Mib.USM_UNKNOWN_USER_NAMES)) {
        why = "the agent does not know user " + user + " (usmStatsUnknownUserNames)";
      } else if (counter.startsWith(Mib.USM_WRONG_DIGESTS)) {
        why =
            "wrong authentication passphrase or protocol for user "
                + user
                + " ("
                + device.auth().name().replace('_', '-')
                + "; usmStatsWrongDigests)";
      } else if (counter.startsWith(Mib.USM_DECRYPTION_ERRORS)) {
        why =
            "wrong privacy passphrase or protocol for user "
                + user
                + " ("
                + device.priv().name().replace('_', '-')
                + "; usmStatsDecryptionErrors)";
      } else if (counter.startsWith(Mib.USM_UNSUPPORTED_SEC_LEVELS)) {
        why =
            "user "
                + user
                + " is not set up for "
                + device.securityLevel()
                + " on the agent (usmStatsUnsupportedSecLevels)";
      } else if (counter.startsWith(Mib.USM_UNKNOWN_ENGINE_IDS)) {
        engineId = null; // a replaced agent: discover it again next time
        why = "the agent's engine ID changed (usmStatsUnknownEngineIDs); asking again next poll";
      } else if (counter.startsWith(Mib.USM_NOT_IN_TIME_WINDOWS)) {
        engineId = null;
        why = "the agent's clock is out of the time window (usmStatsNotInTimeWindows)";
      } else {
        why = "the agent refused the request (report " + counter + ")";
      }
      return new PollFailure(PollFailure.Kind.REFUSED, why);
    }
  }

  /** An exception in one line: its class and the first line of its message. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    String first = m == null ? "" : m.lines().findFirst().orElse("");
    return first.isBlank() ? e.getClass().getSimpleName() : first;
  }
}
