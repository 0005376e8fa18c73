package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;

/**
 * One interface's counters as an SNMP agent reported them in one poll (IF-MIB): raw, not rates, so
 * that the topology computes rates and can tell a counter wrap from an agent restart.
 *
 * <p>Published to {@code labwatch.snmp} with {@link #key()} ({@code device/ifIndex}) as key and
 * {@link #eventTime()} (the poll time) as the record timestamp.
 *
 * <p>A counter wraps at 2^{@link #counterBits()}: 64-bit ({@code ifXTable}'s {@code ifHC*}
 * counters) where the agent has them, 32-bit ({@code ifTable}) where it has not. A smaller value
 * than the last one is a wrap when {@link #sysUpTime()} went on and {@link #discontinuityTime()}
 * stayed the same; an agent restart sets {@code sysUpTime} back, and a discontinuity of this
 * interface's counters (a module reinserted) moves {@code discontinuityTime}. Counters are
 * unsigned: JSON carries them as numbers up to 2^64−1.
 *
 * @param v schema major version
 * @param eventTime when the poll that read them started
 * @param sensorId the device (the SNMP sensor names it; its address unless configured)
 * @param ifIndex the interface's ifIndex
 * @param ifName its {@code ifName} (ifXTable), else its {@code ifDescr}; null when the agent has
 *     neither
 * @param ifAlias its {@code ifAlias} (the description an admin gave it); null when absent or empty
 * @param operStatus its {@code ifOperStatus}; null when absent
 * @param speedMbps {@code ifHighSpeed} (Mbit/s), else {@code ifSpeed} / 10^6; null when absent
 * @param counterBits 64 when the octet and packet counters are ifXTable's, 32 when ifTable's
 * @param sysUpTime the agent's {@code sysUpTime} at the poll, in hundredths of a second (a
 *     TimeTicks: it wraps after 497 days)
 * @param discontinuityTime {@code ifCounterDiscontinuityTime}: the sysUpTime of this interface's
 *     last counter discontinuity, 0 when none since the agent started; null when the agent does not
 *     report it
 * @param counters the counters
 */
public record InterfaceCounters(
    int v,
    Instant eventTime,
    String sensorId,
    int ifIndex,
    String ifName,
    String ifAlias,
    OperStatus operStatus,
    Long speedMbps,
    int counterBits,
    long sysUpTime,
    Long discontinuityTime,
    Counters counters)
    implements SensorEvent {

  private static final String TYPE = "InterfaceCounters";

  /** The largest TimeTicks value. */
  static final long MAX_TIME_TICKS = 0xFFFF_FFFFL;

  public InterfaceCounters {
    Schema.checkVersion(v, TYPE);
    Schema.required(eventTime, TYPE, "eventTime");
    Schema.requiredText(sensorId, TYPE, "sensorId");
    if (ifIndex < 1) {
      throw new IllegalArgumentException(TYPE + ": 'ifIndex' must be >= 1, got " + ifIndex);
    }
    if (counterBits != 32 && counterBits != 64) {
      throw new IllegalArgumentException(
          TYPE + ": 'counterBits' must be 32 or 64, got " + counterBits);
    }
    timeTicks(sysUpTime, "sysUpTime");
    if (discontinuityTime != null) {
      timeTicks(discontinuityTime, "discontinuityTime");
    }
    if (speedMbps != null) {
      Schema.nonNegative(speedMbps, TYPE, "speedMbps");
    }
    Schema.required(counters, TYPE, "counters");
    if (counterBits == 32) {
      counters.checkFits32();
    }
  }

  /** Counters in the current schema version. */
  public InterfaceCounters(
      Instant eventTime,
      String sensorId,
      int ifIndex,
      String ifName,
      String ifAlias,
      OperStatus operStatus,
      Long speedMbps,
      int counterBits,
      long sysUpTime,
      Long discontinuityTime,
      Counters counters) {
    this(
        Schema.V1,
        eventTime,
        sensorId,
        ifIndex,
        ifName,
        ifAlias,
        operStatus,
        speedMbps,
        counterBits,
        sysUpTime,
        discontinuityTime,
        counters);
  }

  private static void timeTicks(long value, String field) {
    if (value < 0 || value > MAX_TIME_TICKS) {
      throw new IllegalArgumentException(
          TYPE + ": '" + field + "' must be a TimeTicks value (0..4294967295), got " + value);
    }
  }

  /** The topic key: {@code device/ifIndex}. */
  @JsonIgnore
  public String key() {
    return sensorId + "/" + ifIndex;
  }

  /** IF-MIB's {@code ifOperStatus}. */
  public enum OperStatus {
    UP,
    DOWN,
    TESTING,
    UNKNOWN,
    DORMANT,
    NOT_PRESENT,
    LOWER_LAYER_DOWN;

    /** The status of an {@code ifOperStatus} value; a value IF-MIB does not define is UNKNOWN. */
    public static OperStatus of(int value) {
      OperStatus[] all = values();
      return value >= 1 && value <= all.length ? all[value - 1] : UNKNOWN;
    }
  }

  /**
   * The counters of one interface; each null when the agent does not report it. Unsigned: a value
   * of 2^63 or more is held in a {@code long} as its two's complement ({@link
   * Long#toUnsignedString(long)} reads it), and written to JSON as the unsigned number.
   *
   * @param inOctets {@code ifHCInOctets} / {@code ifInOctets}
   * @param outOctets {@code ifHCOutOctets} / {@code ifOutOctets}
   * @param inUcastPkts {@code ifHCInUcastPkts} / {@code ifInUcastPkts}
   * @param outUcastPkts {@code ifHCOutUcastPkts} / {@code ifOutUcastPkts}
   * @param inMulticastPkts {@code ifHCInMulticastPkts} (ifXTable only)
   * @param outMulticastPkts {@code ifHCOutMulticastPkts} (ifXTable only)
   * @param inBroadcastPkts {@code ifHCInBroadcastPkts} (ifXTable only)
   * @param outBroadcastPkts {@code ifHCOutBroadcastPkts} (ifXTable only)
   * @param inErrors {@code ifInErrors} (32-bit always)
   * @param outErrors {@code ifOutErrors} (32-bit always)
   * @param inDiscards {@code ifInDiscards} (32-bit always)
   * @param outDiscards {@code ifOutDiscards} (32-bit always)
   */
  public record Counters(
      @JsonSerialize(using = UnsignedJson.Writer.class)
          @JsonDeserialize(using = UnsignedJson.Reader.class)
          Long inOctets,
      @JsonSerialize(using = UnsignedJson.Writer.class)
          @JsonDeserialize(using = UnsignedJson.Reader.class)
          Long outOctets,
      @JsonSerialize(using = UnsignedJson.Writer.class)
          @JsonDeserialize(using = UnsignedJson.Reader.class)
          Long inUcastPkts,
      @JsonSerialize(using = UnsignedJson.Writer.class)
          @JsonDeserialize(using = UnsignedJson.Reader.class)
          Long outUcastPkts,
      @JsonSerialize(using = UnsignedJson.Writer.class)
          @JsonDeserialize(using = UnsignedJson.Reader.class)
          Long inMulticastPkts,
      @JsonSerialize(using = UnsignedJson.Writer.class)
          @JsonDeserialize(using = UnsignedJson.Reader.class)
          Long outMulticastPkts,
      @JsonSerialize(using = UnsignedJson.Writer.class)
          @JsonDeserialize(using = UnsignedJson.Reader.class)
          Long inBroadcastPkts,
      @JsonSerialize(using = UnsignedJson.Writer.class)
          @JsonDeserialize(using = UnsignedJson.Reader.class)
          Long outBroadcastPkts,
      Long inErrors,
      Long outErrors,
      Long inDiscards,
      Long outDiscards) {

    public Counters {
      for (Long c32 : new Long[] {inErrors, outErrors, inDiscards, outDiscards}) {
        if (c32 != null && (c32 < 0 || c32 > 0xFFFF_FFFFL)) {
          throw new IllegalArgumentException(
              "InterfaceCounters.counters: errors and discards are 32-bit counters, got " + c32);
        }
      }
    }

    void checkFits32() {
      for (Long c : new Long[] {inOctets, outOctets, inUcastPkts, outUcastPkts}) {
        if (c != null && (c < 0 || c > 0xFFFF_FFFFL)) {
          throw new IllegalArgumentException(
              TYPE + ": a 32-bit counter (counterBits 32) cannot be " + Long.toUnsignedString(c));
        }
      }
    }
  }
}
