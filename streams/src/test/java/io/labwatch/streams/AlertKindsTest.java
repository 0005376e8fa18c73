package io.labwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.AlertKinds;
import io.labwatch.streams.bindings.BindingRules;
import io.labwatch.streams.health.HostRules;
import io.labwatch.streams.health.InterfaceRules;
import io.labwatch.streams.health.Reachability;
import io.labwatch.streams.impostors.ImpostorRules;
import io.labwatch.streams.sensors.SensorLiveness;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The events module's list of alert kinds (what /metrics exports from 0) is the rules' kinds. */
class AlertKindsTest {

  /** The public String constants in UPPER_SNAKE_CASE of the rule families: their kinds. */
  private static Set<String> kindsTheRulesDefine() throws IllegalAccessException {
    Set<String> kinds = new TreeSet<>();
    for (Class<?> rules :
        List.of(
            BindingRules.class,
            ImpostorRules.class,
            HostRules.class,
            InterfaceRules.class,
            Reachability.class,
            SensorLiveness.class)) {
      for (Field f : rules.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
          String value = (String) f.get(null);
          if (value.matches("[A-Z][A-Z0-9_]*")) {
            kinds.add(value);
          }
        }
      }
    }
    return kinds;
  }

  @Test
  void everyKindTheRulesRaiseIsListedOnceAndNothingElse() throws Exception {
    List<String> listed = AlertKinds.ALL.stream().map(AlertKinds.Kind::name).toList();
    assertThat(listed).doesNotHaveDuplicates();
    assertThat(new TreeSet<>(listed)).isEqualTo(kindsTheRulesDefine());
  }
}
