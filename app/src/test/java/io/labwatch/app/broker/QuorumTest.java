package io.labwatch.app.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuorumTest {

  static final String THREE = "1@10.0.0.1:9093,2@box2:9093,3@[fd00::3]:9093";

  @Test
  void votersAreParsedAndSaidBackTheSameWay() {
    List<Quorum.Voter> voters = Quorum.parse(THREE);
    assertThat(voters)
        .containsExactly(
            new Quorum.Voter(1, "10.0.0.1", 9093),
            new Quorum.Voter(2, "box2", 9093),
            new Quorum.Voter(3, "fd00::3", 9093));
    assertThat(Quorum.text(voters)).isEqualTo(THREE);
    Quorum q = new Quorum(2, voters, "");
    assertThat(q.self()).isEqualTo(new Quorum.Voter(2, "box2", 9093));
    assertThat(q.clustered()).isTrue();
    assertThat(q.replicationFactor()).isEqualTo(3);
    assertThat(new Quorum(1, Quorum.parse("1@a:1,2@b:2"), "").replicationFactor()).isEqualTo(2);
    assertThat(Quorum.ALONE.replicationFactor()).isEqualTo(1);
    assertThat(Quorum.ALONE.clustered()).isFalse();
  }

  @Test
  void everyNodeWithTheSameVotersDerivesTheSameClusterId() {
    String one = new Quorum(1, Quorum.parse(THREE), "").clusterIdToFormat();
    String three = new Quorum(3, Quorum.parse(THREE), "").clusterIdToFormat();
    assertThat(one).isEqualTo(three).hasSize(22);
    assertThat(new Quorum(1, Quorum.parse("1@10.0.0.1:9093,2@box2:9094"), "").clusterIdToFormat())
        .isNotEqualTo(one);
    // a node alone gets a new one each time it is formatted; a given id is kept
    assertThat(Quorum.ALONE.clusterIdToFormat()).isNotEqualTo(Quorum.ALONE.clusterIdToFormat());
    assertThat(new Quorum(1, List.of(), one).clusterIdToFormat()).isEqualTo(one);
  }

  @Test
  void mistakesAreNamed() {
    assertThatThrownBy(() -> Quorum.parse("1@box1:9093,box2:9093"))
        .hasMessage("voters: 'box2:9093' is not ID@HOST:PORT (e.g. 1@10.0.0.1:9093)");
    assertThatThrownBy(() -> Quorum.parse("1@box1:70000"))
        .hasMessage("voters: '1@box1:70000': port must be 1..65535");
    assertThatThrownBy(() -> new Quorum(4, Quorum.parse(THREE), ""))
        .hasMessageStartingWith("voters: this node (nodeId 4) is not one of them: 1@10.0.0.1:9093");
    assertThatThrownBy(() -> new Quorum(1, Quorum.parse("1@a:1,1@b:2"), ""))
        .hasMessage("voters: node 1 is listed twice");
    assertThatThrownBy(() -> new Quorum(1, List.of(), "not-an-id"))
        .hasMessageStartingWith("clusterId: 'not-an-id' is not a Kafka cluster id");
    assertThatThrownBy(() -> new Quorum(0, List.of(), ""))
        .hasMessage("nodeId: must be >= 1, got 0");
  }
}
