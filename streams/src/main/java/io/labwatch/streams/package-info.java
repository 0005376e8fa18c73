/**
 * The detection: one Kafka Streams topology, one package per rule family ({@code bindings/} for IP
 * conflicts and spoofing, {@code load/} for load spikes), and the alert lifecycle.
 */
package io.labwatch.streams;
