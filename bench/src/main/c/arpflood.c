/*
 * arpflood: sends ARP replies on an interface at a fixed rate, for labwatch's capture benchmark.
 * Only for the veth pair the benchmark creates.
 *
 *   arpflood IFACE RATE_PER_SECOND SECONDS
 *
 * Prints the number of frames sent. Each frame is a 60-byte ARP reply "10.99.x.y is at
 * 02:00:00:00:x:y" with x.y counting up, so every frame is a distinct observation.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: arpflood IFACE RATE_PER_SECOND SECONDS\n");
    return 2;
  }
  const char *iface = argv[1];
  long rate = atol(argv[2]);
  long seconds = atol(argv[3]);
  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  struct sockaddr_ll addr = {0};
  addr.sll_family = AF_PACKET;
  addr.sll_ifindex = if_nametoindex(iface);
  addr.sll_halen = 6;
  if (addr.sll_ifindex == 0) {
    fprintf(stderr, "no interface %s\n", iface);
    return 1;
  }
  unsigned char f[60] = {0};
  memset(f, 0xff, 6);                                  /* to broadcast */
  unsigned char mac[6] = {0x02, 0, 0, 0, 0, 0};
  f[12] = 0x08; f[13] = 0x06;                          /* ARP */
  f[15] = 1; f[16] = 0x08; f[18] = 6; f[19] = 4; f[21] = 2; /* Ethernet, IPv4, reply */
  unsigned char target_mac[6] = {0x02, 0, 0, 0, 0xff, 0xfe};
  memcpy(f + 32, target_mac, 6);
  f[38] = 10; f[39] = 99; f[40] = 255; f[41] = 254;    /* target 10.99.255.254 */

  long long total = rate * seconds;
  long long start = now_ns();
  long long sent = 0;
  for (long long i = 0; i < total; i++) {
    long long due = start + (i * 1000000000LL) / rate;
    while (now_ns() < due) {
    }
    unsigned n = (unsigned)(i % 65000) + 1;
    mac[4] = n >> 8; mac[5] = n & 0xff;
    memcpy(f + 6, mac, 6);                             /* Ethernet source */
    memcpy(f + 22, mac, 6);                            /* sender MAC */
    f[28] = 10; f[29] = 99; f[30] = n >> 8; f[31] = n & 0xff; /* sender IP 10.99.x.y */
    if (sendto(fd, f, sizeof f, 0, (struct sockaddr *)&addr, sizeof addr) == sizeof f) {
      sent++;
    }
  }
  printf("%lld\n", sent);
  return 0;
}
