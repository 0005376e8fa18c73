package io.labwatch.producers.host.probe.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import io.labwatch.events.IpAddress;
import io.labwatch.events.ProbeResult.ErrorClass;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One ICMP echo request to an IPv4 address from this process, through the kernel's sockets (libc
 * via JNA), with no {@code ping} process: a fork and exec per probe cost the host sensor more CPU
 * than all of its sampling (BENCHMARKS.md, issue 15).
 *
 * <p>Which socket: an unprivileged ICMP datagram socket ({@code socket(AF_INET, SOCK_DGRAM,
 * IPPROTO_ICMP)}, allowed to the groups in {@code net.ipv4.ping_group_range}; the kernel sets the
 * identifier and delivers only this socket's replies), else a raw ICMP socket (root or CAP_NET_RAW;
 * the echo's identifier and sequence pick this probe's reply out of every ICMP message the host
 * receives). The socket is {@code connect}ed to the target, so the kernel reports an ICMP error for
 * it (host or network unreachable, also its own failed ARP resolution) as the socket's error. Where
 * neither socket may be opened (a plain user, a kernel that forbids both) or libc cannot be called,
 * {@link #available()} is false and the caller runs {@code ping}.
 *
 * <p>Linux only: the constants are Linux's (the same on x86, ARM and their 64-bit forms).
 */
final class IcmpEcho {

  private static final int AF_INET = 2;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int IPPROTO_ICMP = 1;
  private static final short POLLIN = 0x1;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int SOL_IP = 0;
  private static final int IP_RECVERR = 11;

  private static final int EPERM = 1;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final int EACCES = 13;
  private static final int ENETUNREACH = 101;
  private static final int EHOSTUNREACH = 113;
  private static final int ECONNREFUSED = 111;

  private static final int ECHO_REPLY = 0;
  private static final int ECHO_REQUEST = 8;

  /** Header and payload, as iputils' ping's default 56 data bytes. */
  private static final int REQUEST_BYTES = 64;

  /**
   * The C library's calls this uses, bound directly (JNA's direct mapping: a JNI call each, not a
   * proxy and reflection as an interface mapping costs on every call).
   */
  static final class LibC {
    static {
      Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {}

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int connect(int fd, byte[] address, int length) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, int[] value, int length)
        throws LastErrorException;

    static native NativeLong send(int fd, byte[] buffer, NativeLong length, int flags)
        throws LastErrorException;

    static native NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags)
        throws LastErrorException;

    static native int poll(byte[] fds, NativeLong count, int timeoutMs) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    /** Binds the calls (the class's initialiser); throws when libc cannot be bound. */
    static void bind() {}
  }

  /** How this host lets the process send ICMP echoes. */
  enum Mode {
    /** An unprivileged ICMP datagram socket. */
    DATAGRAM,
    /** A raw socket: root or CAP_NET_RAW. */
    RAW,
    /** Neither: run {@code ping}. */
    NONE
  }

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static volatile Mode mode;
  private static volatile String whyNone = "not yet tried";

  private IcmpEcho() {}

  /** Whether echoes can be sent from this process; found out once. */
  static boolean available() {
    return mode() != Mode.NONE;
  }

  /** Why {@link #available()} is false, for a log line. */
  static String whyUnavailable() {
    mode();
    return whyNone;
  }

  static Mode mode() {
    Mode m = mode;
    if (m == null) {
      synchronized (IcmpEcho.class) {
        m = mode;
        if (m == null) {
          m = discover();
          mode = m;
        }
      }
    }
    return m;
  }

  private static Mode discover() {
    if (!Platform.isLinux()) {
      whyNone = "ICMP sockets are used on Linux only";
      return Mode.NONE;
    }
    try {
      LibC.bind();
    } catch (LinkageError | RuntimeException e) {
      whyNone = "libc cannot be called through JNA (" + e.getMessage() + ")";
      return Mode.NONE;
    }
    for (Mode m : new Mode[] {Mode.DATAGRAM, Mode.RAW}) {
      try {
        LibC.close(open(m));
        return m;
      } catch (LastErrorException e) {
        whyNone =
            "neither an ICMP datagram socket (net.ipv4.ping_group_range) nor a raw socket"
                + " (CAP_NET_RAW) may be opened";
      }
    }
    return Mode.NONE;
  }

  private static int open(Mode m) {
    int fd =
        LibC.socket(
            AF_INET, (m == Mode.DATAGRAM ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) {
      throw new LastErrorException(Native.getLastError());
    }
    return fd;
  }

  /**
   * Sends one echo request to {@code ip} (IPv4) and waits up to {@code timeout} for its reply.
   *
   * @throws IllegalStateException when {@link #available()} is false
   */
  static Outcome echo(IpAddress ip, Duration timeout) {
    Mode m = mode();
    if (m == Mode.NONE) {
      throw new IllegalStateException(whyNone);
    }
    return echo(ip, timeout, m);
  }

  /** {@link #echo(IpAddress, Duration)} through a socket of kind {@code m} (a test's choice). */
  static Outcome echo(IpAddress ip, Duration timeout, Mode m) {
    if (mode() == Mode.NONE) {
      throw new IllegalStateException(whyNone);
    }
    if (!ip.isV4()) {
      throw new IllegalArgumentException("IPv4 only: " + ip);
    }
    int sequence = SEQUENCE.incrementAndGet() & 0xffff;
    int identifier = (int) (ProcessHandle.current().pid() & 0xffff);
    byte[] request = request(identifier, sequence);
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    int fd;
    try {
      fd = open(m);
    } catch (LastErrorException e) {
      return Outcome.failed(0, ErrorClass.ERROR, "ICMP socket: " + strerror(e));
    }
    try {
      // without it the kernel keeps a "host unreachable" (a soft error) from the socket
      LibC.setsockopt(fd, SOL_IP, IP_RECVERR, new int[] {1}, 4);
      LibC.connect(fd, sockaddr(ip), 16);
      LibC.send(fd, request, new NativeLong(request.length), 0);
      byte[] reply = new byte[1500];
      byte[] pollFd = pollFd(fd);
      while (true) {
        long leftMs = (deadline - System.nanoTime() + 999_999) / 1_000_000;
        if (leftMs <= 0) {
          return Outcome.failed(
              Outcome.microsSince(start),
              ErrorClass.TIMEOUT,
              "no echo reply within " + timeout.toMillis() + "ms");
        }
        try {
          if (LibC.poll(pollFd, new NativeLong(1), (int) Math.min(leftMs, Integer.MAX_VALUE))
              <= 0) {
            continue;
          }
        } catch (LastErrorException e) {
          if (e.getErrorCode() == EINTR) {
            continue;
          }
          throw e;
        }
        int n;
        try {
          n = LibC.recv(fd, reply, new NativeLong(reply.length), MSG_DONTWAIT).intValue();
        } catch (LastErrorException e) {
          if (e.getErrorCode() == EAGAIN || e.getErrorCode() == EINTR) {
            continue;
          }
          throw e;
        }
        long us = Outcome.microsSince(start);
        if (isReply(reply, n, m, identifier, sequence)) {
          return Outcome.answered(us);
        }
      }
    } catch (LastErrorException e) {
      return failure(e, Outcome.microsSince(start));
    } finally {
      try {
        LibC.close(fd);
      } catch (LastErrorException e) {
        // nothing left to do with it
      }
    }
  }

  /** A failed call's errno as a probe failure. */
  private static Outcome failure(LastErrorException e, long us) {
    int errno = e.getErrorCode();
    return switch (errno) {
      case EHOSTUNREACH ->
          Outcome.failed(us, ErrorClass.UNREACHABLE, "Destination Host Unreachable");
      case ENETUNREACH -> Outcome.failed(us, ErrorClass.UNREACHABLE, "Network is unreachable");
      case ECONNREFUSED -> Outcome.failed(us, ErrorClass.UNREACHABLE, "Destination Unreachable");
      case EPERM, EACCES ->
          Outcome.failed(us, ErrorClass.ERROR, "not permitted (a firewall rule?): " + strerror(e));
      default -> Outcome.failed(us, ErrorClass.ERROR, strerror(e));
    };
  }

  private static String strerror(LastErrorException e) {
    String m = e.getMessage();
    // JNA's message is "[errno] text"
    return m == null ? "errno " + e.getErrorCode() : m.replaceFirst("^\\[\\d+\\]\\s*", "");
  }

  /** Whether {@code packet} (raw: with its IPv4 header) is the reply to this probe's request. */
  static boolean isReply(byte[] packet, int length, Mode m, int identifier, int sequence) {
    int at = 0;
    if (m == Mode.RAW) {
      if (length < 20 || (packet[0] & 0xf0) != 0x40) {
        return false;
      }
      at = (packet[0] & 0x0f) * 4;
    }
    if (length < at + 8 || (packet[at] & 0xff) != ECHO_REPLY) {
      return false;
    }
    int id = ((packet[at + 4] & 0xff) << 8) | (packet[at + 5] & 0xff);
    int seq = ((packet[at + 6] & 0xff) << 8) | (packet[at + 7] & 0xff);
    // a datagram socket's identifier is the kernel's; it delivers only this socket's replies
    return seq == sequence && (m == Mode.DATAGRAM || id == identifier);
  }

  /** An echo request with its checksum (a datagram socket's kernel sets its own). */
  static byte[] request(int identifier, int sequence) {
    byte[] p = new byte[REQUEST_BYTES];
    p[0] = (byte) ECHO_REQUEST;
    p[4] = (byte) (identifier >>> 8);
    p[5] = (byte) identifier;
    p[6] = (byte) (sequence >>> 8);
    p[7] = (byte) sequence;
    for (int i = 8; i < p.length; i++) {
      p[i] = (byte) i;
    }
    int sum = checksum(p);
    p[2] = (byte) (sum >>> 8);
    p[3] = (byte) sum;
    return p;
  }

  /** The Internet checksum (RFC 1071) of {@code bytes}. */
  static int checksum(byte[] bytes) {
    long sum = 0;
    for (int i = 0; i + 1 < bytes.length; i += 2) {
      sum += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
    }
    if ((bytes.length & 1) != 0) {
      sum += (bytes[bytes.length - 1] & 0xff) << 8;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  private static byte[] sockaddr(IpAddress ip) {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    b.putShort((short) AF_INET); // sa_family, host order
    b.order(ByteOrder.BIG_ENDIAN).putShort((short) 0); // port, unused for ICMP
    b.put(ip.toBytes());
    return b.array();
  }

  private static byte[] pollFd(int fd) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    b.putInt(fd).putShort(POLLIN).putShort((short) 0);
    return b.array();
  }
}
