package io.labwatch.streams.internal;

import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A processor that commits its task's work as soon as its stream thread has caught up with a
 * backlog, instead of at the next commit interval.
 *
 * <p>Exactly-once commits come every {@code commit.interval.ms} (1 s here: each is a transaction,
 * and it ends the write-behind buffers' deduplication of state writes). Reading a backlog (a
 * restart after downtime, a replay), what the detection wrote stays invisible to the next stage
 * until a commit: the claims to the impostor rules, the binding incidents to the correlation. At
 * the end of a backlog each stage so waited up to a commit interval for the one before it, two to
 * three seconds before the last alerts were out (BENCHMARKS.md, detection throughput).
 *
 * <p>So: when the last record this processor took was more than 5 s behind the wall clock (a
 * backlog, not live traffic) and its stream thread has since processed no record of any wrapped
 * processor for a whole check interval (it has read all there was), it asks for a commit, once.
 * Live traffic is unchanged: its records are not behind, and it commits at the interval as before
 * (live alerts ask for their own commit at once, {@link DetectionProcessor}). Nothing of what is
 * computed changes, only when it becomes visible.
 */
public final class CommitWhenCaughtUp<KIn, VIn, KOut, VOut>
    implements ProcessorSupplier<KIn, VIn, KOut, VOut> {

  /** How often a processor looks whether its thread has caught up (wall-clock time). */
  static final Duration CHECK = Duration.ofMillis(50);

  /** A record whose time is this far behind the wall clock is from a backlog. */
  static final long BEHIND_MS = 5_000;

  /** Records processed by the wrapped processors of the current stream thread. */
  private static final ThreadLocal<long[]> PROCESSED = ThreadLocal.withInitial(() -> new long[1]);

  private final ProcessorSupplier<KIn, VIn, KOut, VOut> inner;

  private CommitWhenCaughtUp(ProcessorSupplier<KIn, VIn, KOut, VOut> inner) {
    this.inner = inner;
  }

  /** {@code inner}'s processors, committing when their thread has caught up with a backlog. */
  public static <KIn, VIn, KOut, VOut> ProcessorSupplier<KIn, VIn, KOut, VOut> of(
      ProcessorSupplier<KIn, VIn, KOut, VOut> inner) {
    return new CommitWhenCaughtUp<>(inner);
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    return inner.stores();
  }

  @Override
  public Processor<KIn, VIn, KOut, VOut> get() {
    return new Wrapped(inner.get());
  }

  private final class Wrapped implements Processor<KIn, VIn, KOut, VOut> {
    private final Processor<KIn, VIn, KOut, VOut> processor;
    private ProcessorContext<KOut, VOut> context;
    // the thread's count at this processor's last check
    private long seen = -1;
    // the last record this processor took was from a backlog, and no commit was asked for since
    private boolean pending;

    Wrapped(Processor<KIn, VIn, KOut, VOut> processor) {
      this.processor = processor;
    }

    @Override
    public void init(ProcessorContext<KOut, VOut> context) {
      this.context = context;
      processor.init(context);
      context.schedule(CHECK, PunctuationType.WALL_CLOCK_TIME, this::check);
    }

    @Override
    public void process(Record<KIn, VIn> record) {
      PROCESSED.get()[0]++; // (the thread's: a task may move to another thread)
      // (the context's wall clock is the time its thread read at the start of this iteration)
      pending = record.timestamp() < context.currentSystemTimeMs() - BEHIND_MS;
      processor.process(record);
    }

    private void check(long now) {
      long count = PROCESSED.get()[0];
      if (pending && count == seen) {
        pending = false;
        context.commit();
      }
      seen = count;
    }

    @Override
    public void close() {
      processor.close();
    }
  }
}
