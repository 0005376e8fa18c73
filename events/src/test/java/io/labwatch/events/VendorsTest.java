package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VendorsTest {

  @Test
  void namesTheSeedIncidentsVendors() {
    assertThat(Vendors.describe(MacAddress.of("00:a0:de:77:00:10")))
        .isEqualTo("YAMAHA CORPORATION");
    assertThat(Vendors.describe(MacAddress.of("dc:9b:9c:77:00:10"))).isEqualTo("Apple, Inc.");
    assertThat(Vendors.describe(MacAddress.of("3c:fd:fe:0a:00:10"))).isEqualTo("Intel Corporate");
  }

  @Test
  void longerAssignmentsWinOverTheirBlock() {
    // 70:B3:D5 is the IEEE's own MA-S block; 70:B3:D5:71:9x belongs to 2M Technology
    assertThat(Vendors.lookup(MacAddress.of("70:b3:d5:71:90:01"))).contains("2M Technology");
    assertThat(Vendors.lookup(MacAddress.of("70:b3:d5:f2:f0:01"))).contains("TELEPLATFORMS");
  }

  @Test
  void softwareAndGroupAddressesAreSaidSo() {
    assertThat(Vendors.describe(MacAddress.of("02:42:ac:11:00:02")))
        .isEqualTo("locally administered");
    assertThat(Vendors.describe(MacAddress.of("01:00:5e:00:00:01"))).isEqualTo("multicast");
    assertThat(Vendors.size()).isGreaterThan(40_000);
  }
}
