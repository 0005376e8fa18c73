package io.labwatch.app.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.broker.TransactionRepair.Decision;
import io.labwatch.app.broker.TransactionRepair.OpenTransaction;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;
import org.junit.jupiter.api.Test;

/**
 * Which markers the broker writes at a restart for the transactions Kafka left open: the decision
 * its coordinator had written for them, nothing for a transaction still undecided.
 */
class TransactionRepairTest {

  static final TopicPartition CHANGELOG = new TopicPartition("app-timers-changelog", 2);
  static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", 3);
  static final TopicPartition ALERTS = new TopicPartition("alerts", 0);
  static final long PRODUCER = 1;
  static final short TV2 = 2;

  @Test
  void shouldEndEveryPartitionLeftOpenWithTheDecisionItsCoordinatorHadWritten() {
    // given the data of epoch 1 on two partitions, and the coordinator's PREPARE_COMMIT (with
    // transaction version 2 its markers carry epoch 2) naming them and a third that got its marker
    List<OpenTransaction> open =
        List.of(
            new OpenTransaction(CHANGELOG, PRODUCER, 1, 24),
            new OpenTransaction(OFFSETS, PRODUCER, 1, 26));
    Decision commit = decision(2, TransactionResult.COMMIT, Set.of(CHANGELOG, OFFSETS, ALERTS), 0);

    // when
    List<TxnMarkerEntry> markers = entries(TransactionRepair.markers(open, List.of(commit)));

    // then one COMMIT marker for both, with the newest coordinator epoch either partition has seen
    assertThat(markers).hasSize(1);
    TxnMarkerEntry m = markers.get(0);
    assertThat(List.of(m.producerId(), m.producerEpoch(), m.coordinatorEpoch()))
        .containsExactly(PRODUCER, (short) 2, 26);
    assertThat(m.transactionResult()).isEqualTo(TransactionResult.COMMIT);
    assertThat(m.partitions()).containsExactly(OFFSETS, CHANGELOG);
    assertThat(m.transactionVersion()).isEqualTo(TV2);
  }

  @Test
  void shouldLeaveATransactionItsCoordinatorHasNotDecidedYet() {
    // given data of epoch 2, newer than the last decision (the producer's transaction in progress)
    List<OpenTransaction> open = List.of(new OpenTransaction(ALERTS, PRODUCER, 2, 26));
    Decision older = decision(2, TransactionResult.COMMIT, Set.of(ALERTS), 0);

    // when / then
    assertThat(TransactionRepair.markers(open, List.of(older))).isEmpty();
    assertThat(TransactionRepair.markers(open, List.of())).isEmpty();
  }

  @Test
  void shouldUseTheFirstDecisionAfterTheOpenDataNotALaterOne() {
    // given data of epoch 0 left open, then decided twice: ABORT at epoch 1, COMMIT at epoch 3
    List<OpenTransaction> open = List.of(new OpenTransaction(CHANGELOG, PRODUCER, 0, -1));
    List<Decision> decisions =
        List.of(
            decision(3, TransactionResult.COMMIT, Set.of(CHANGELOG), 1),
            decision(1, TransactionResult.ABORT, Set.of(CHANGELOG), 0));

    // when
    List<TxnMarkerEntry> markers = entries(TransactionRepair.markers(open, decisions));

    // then the decision on that data, with no coordinator epoch seen yet (0)
    assertThat(markers).hasSize(1);
    assertThat(markers.get(0).transactionResult()).isEqualTo(TransactionResult.ABORT);
    assertThat(markers.get(0).producerEpoch()).isEqualTo((short) 1);
    assertThat(markers.get(0).coordinatorEpoch()).isZero();
  }

  @Test
  void shouldNotApplyADecisionOnAnotherProducerOrPartition() {
    List<OpenTransaction> open = List.of(new OpenTransaction(CHANGELOG, PRODUCER, 1, 24));
    Decision otherProducer =
        new Decision(
            "2", PRODUCER + 1, (short) 2, TransactionResult.COMMIT, Set.of(CHANGELOG), TV2, 0);
    Decision otherPartition = decision(2, TransactionResult.COMMIT, Set.of(ALERTS), 1);

    assertThat(TransactionRepair.markers(open, List.of(otherProducer, otherPartition))).isEmpty();
  }

  @Test
  void shouldAcceptTheSameEpochWithTransactionVersionOne() {
    // before transaction version 2, markers carry the data's own epoch
    List<OpenTransaction> open = List.of(new OpenTransaction(CHANGELOG, PRODUCER, 4, 7));
    Decision tv1 =
        new Decision(
            "1", PRODUCER, (short) 4, TransactionResult.COMMIT, Set.of(CHANGELOG), (short) 1, 0);

    assertThat(entries(TransactionRepair.markers(open, List.of(tv1))))
        .singleElement()
        .satisfies(m -> assertThat(m.producerEpoch()).isEqualTo((short) 4));
  }

  private static List<TxnMarkerEntry> entries(List<TransactionRepair.Marker> markers) {
    return markers.stream().map(TransactionRepair.Marker::entry).toList();
  }

  private static Decision decision(
      int markerEpoch, TransactionResult result, Set<TopicPartition> partitions, long sequence) {
    return new Decision("1", PRODUCER, (short) markerEpoch, result, partitions, TV2, sequence);
  }
}
