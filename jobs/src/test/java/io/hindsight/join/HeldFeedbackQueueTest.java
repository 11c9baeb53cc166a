package io.hindsight.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The join's heap against {@link PriorityQueue} on the same random adds and polls. */
class HeldFeedbackQueueTest {

    @Test
    void pollsInTheOrderOfAPriorityQueue() {
        Random r = new Random(11);
        for (int round = 0; round < 50; round++) {
            HeldFeedbackQueue heap = new HeldFeedbackQueue();
            PriorityQueue<FeedbackJoinOperator.Held> reference = new PriorityQueue<>();
            long seq = 0;
            // Few distinct times, keys and ids, so that ties reach every level of the order.
            for (int step = 0; step < 5_000; step++) {
                if (r.nextInt(3) > 0) {
                    FeedbackJoinOperator.Held h =
                            new FeedbackJoinOperator.Held(
                                    r.nextInt(50) - 25,
                                    "k" + r.nextInt(4),
                                    "f" + r.nextInt(3),
                                    seq++,
                                    null);
                    heap.add(h);
                    reference.add(h);
                } else {
                    assertThat(heap.peek()).isSameAs(reference.peek());
                    assertThat(heap.poll()).isSameAs(reference.poll());
                }
                assertThat(heap.size()).isEqualTo(reference.size());
            }
            Set<FeedbackJoinOperator.Held> all = new HashSet<>();
            for (int i = 0; i < heap.size(); i++) {
                all.add(heap.at(i));
            }
            assertThat(all).containsExactlyInAnyOrderElementsOf(reference);
            while (!reference.isEmpty()) {
                assertThat(heap.poll()).isSameAs(reference.poll());
            }
            assertThat(heap.poll()).isNull();
            assertThat(heap.peek()).isNull();
        }
    }
}
