package io.labwatch.producers.host.probe.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernel's IPv6 neighbour table (NDP's cache), read over rtnetlink: one {@code RTM_GETNEIGH}
 * dump of the {@code AF_INET6} entries of this process's network namespace, through libc with JNA
 * (the calls {@link IcmpEcho.LibC} binds). IPv6 has no {@code /proc/net/arp}; a netlink socket is
 * what {@code ip -6 neigh} reads, without a process per probe.
 *
 * <p>An entry counts when the kernel has a link-layer address for it — NUD state REACHABLE, STALE,
 * DELAY, PROBE or PERMANENT, as {@code /proc/net/arp}'s "complete" flag for IPv4; INCOMPLETE and
 * FAILED entries, and none, are "no MAC". Linux only; where libc cannot be called or the socket not
 * opened, every lookup is empty (a probe result then names no MAC, as for an unanswered target).
 */
final class NetlinkNeighbours {

  private static final int AF_NETLINK = 16;
  private static final int AF_INET6 = 10;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_ROUTE = 0;
  private static final short POLLIN = 0x1;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;

  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int RTM_NEWNEIGH = 28;
  static final int RTM_GETNEIGH = 30;
  private static final int NLM_F_REQUEST = 0x1;
  private static final int NLM_F_DUMP = 0x300;
  static final int NDA_DST = 1;
  static final int NDA_LLADDR = 2;

  /** NUD states with a usable link-layer address. */
  static final int NUD_VALID = 0x02 | 0x04 | 0x08 | 0x10 | 0x80;

  private static final int HEADER = 16;
  private static final int NDMSG = 12;

  /** A dump is immediate; a kernel that does not answer in this long is not waited for. */
  private static final int ANSWER_MS = 1_000;

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private NetlinkNeighbours() {}

  /** Whether libc can be called here (bound once, by {@link IcmpEcho.LibC}). */
  private static boolean usable() {
    if (!Platform.isLinux()) {
      return false;
    }
    try {
      IcmpEcho.LibC.bind();
      return true;
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }

  /** The MAC of a valid entry for the IPv6 address {@code ip}; empty when there is none. */
  static Optional<MacAddress> lookup(IpAddress ip) {
    if (ip.isV4() || !usable()) {
      return Optional.empty();
    }
    byte[] wanted = ip.toBytes();
    int sequence = SEQUENCE.incrementAndGet();
    int fd;
    try {
      fd = IcmpEcho.LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    } catch (LastErrorException e) {
      return Optional.empty();
    }
    try {
      byte[] request = dumpRequest(sequence);
      IcmpEcho.LibC.send(fd, request, new NativeLong(request.length), 0);
      byte[] answer = new byte[32 * 1024];
      byte[] pollFd =
          ByteBuffer.allocate(8)
              .order(ByteOrder.nativeOrder())
              .putInt(fd)
              .putShort(POLLIN)
              .putShort((short) 0)
              .array();
      long deadline = System.nanoTime() + ANSWER_MS * 1_000_000L;
      while (true) {
        long leftMs = (deadline - System.nanoTime()) / 1_000_000;
        if (leftMs <= 0) {
          return Optional.empty();
        }
        int n;
        try {
          if (IcmpEcho.LibC.poll(pollFd, new NativeLong(1), (int) leftMs) <= 0) {
            continue;
          }
          n =
              IcmpEcho.LibC.recv(fd, answer, new NativeLong(answer.length), MSG_DONTWAIT)
                  .intValue();
        } catch (LastErrorException e) {
          if (e.getErrorCode() == EINTR || e.getErrorCode() == EAGAIN) {
            continue;
          }
          return Optional.empty();
        }
        Found found = find(answer, n, wanted, sequence);
        if (found.mac != null) {
          return Optional.of(found.mac);
        }
        if (found.end) {
          return Optional.empty();
        }
      }
    } catch (LastErrorException e) {
      return Optional.empty();
    } finally {
      try {
        IcmpEcho.LibC.close(fd);
      } catch (LastErrorException e) {
        // nothing left to do with it
      }
    }
  }

  /** {@code RTM_GETNEIGH} with {@code NLM_F_DUMP} for the AF_INET6 family: header and ndmsg. */
  static byte[] dumpRequest(int sequence) {
    ByteBuffer b = ByteBuffer.allocate(HEADER + NDMSG).order(ByteOrder.nativeOrder());
    b.putInt(HEADER + NDMSG) // nlmsg_len
        .putShort((short) RTM_GETNEIGH)
        .putShort((short) (NLM_F_REQUEST | NLM_F_DUMP))
        .putInt(sequence)
        .putInt(0); // nlmsg_pid: the kernel fills it in
    b.put((byte) AF_INET6); // ndm_family; the rest of the ndmsg is zero: every interface, state
    return b.array();
  }

  /** What one read of the dump held: the wanted entry's MAC, or whether the dump ended. */
  record Found(MacAddress mac, boolean end) {}

  /**
   * Looks through one read of the answer ({@code length} bytes of netlink messages) for a valid
   * entry for {@code wanted} (16 bytes). Messages of another request are skipped; a message that
   * runs past the read, an error or the dump's end ends the search.
   */
  static Found find(byte[] buffer, int length, byte[] wanted, int sequence) {
    ByteBuffer b = ByteBuffer.wrap(buffer, 0, length).order(ByteOrder.nativeOrder());
    int at = 0;
    while (at + HEADER <= length) {
      int len = b.getInt(at);
      int type = b.getShort(at + 4) & 0xffff;
      int seq = b.getInt(at + 8);
      if (len < HEADER || at + len > length) {
        return new Found(null, true); // garbled
      }
      if (seq == sequence) {
        if (type == NLMSG_DONE || type == NLMSG_ERROR) {
          return new Found(null, true);
        }
        if (type == RTM_NEWNEIGH && len >= HEADER + NDMSG) {
          MacAddress mac = entry(b, at + HEADER, at + len, wanted);
          if (mac != null) {
            return new Found(mac, true);
          }
        }
      }
      at += align(len);
    }
    return new Found(null, false);
  }

  /** The MAC of the neighbour message whose ndmsg starts at {@code at}, if it is the wanted one. */
  private static MacAddress entry(ByteBuffer b, int at, int end, byte[] wanted) {
    int family = b.get(at) & 0xff;
    int state = b.getShort(at + 8) & 0xffff;
    if (family != AF_INET6 || (state & NUD_VALID) == 0) {
      return null;
    }
    byte[] dst = null;
    byte[] lladdr = null;
    int a = at + NDMSG;
    while (a + 4 <= end) {
      int alen = b.getShort(a) & 0xffff;
      int atype = b.getShort(a + 2) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
      if (alen < 4 || a + alen > end) {
        return null;
      }
      if (atype == NDA_DST) {
        dst = slice(b, a + 4, alen - 4);
      } else if (atype == NDA_LLADDR) {
        lladdr = slice(b, a + 4, alen - 4);
      }
      a += align(alen);
    }
    if (dst == null || lladdr == null || lladdr.length != 6 || !Arrays.equals(dst, wanted)) {
      return null;
    }
    MacAddress mac = MacAddress.fromBytes(lladdr);
    return mac.isZero() ? null : mac;
  }

  private static byte[] slice(ByteBuffer b, int at, int n) {
    byte[] out = new byte[n];
    b.get(at, out);
    return out;
  }

  private static int align(int n) {
    return (n + 3) & ~3;
  }
}
