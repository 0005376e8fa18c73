/**
 * Sensors: {@code arp} (pcap4j), {@code snmp} (snmp4j), {@code host} — each a small loop that
 * publishes observations and heartbeats to its topic. Sensors depend on {@code events} only.
 */
package io.labwatch.producers;
