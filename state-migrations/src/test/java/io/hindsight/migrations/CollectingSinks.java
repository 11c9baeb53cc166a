package io.hindsight.migrations;

import io.hindsight.jobs.JoinSinks;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Test sinks of the feedback join that collect into this JVM (the MiniCluster runs in it). */
final class CollectingSinks implements JoinSinks {

    static final Map<String, ConcurrentLinkedQueue<Object>> COLLECTED = new ConcurrentHashMap<>();

    static void clear() {
        COLLECTED.clear();
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> collected(String name) {
        return new ArrayList<>(
                (ConcurrentLinkedQueue<T>)
                        (Object) COLLECTED.getOrDefault(name, new ConcurrentLinkedQueue<>()));
    }

    @Override
    public void predictions(DataStream<Prediction> predictions) {
        predictions.sinkTo(new Collect<>("predictions")).uid("collect-predictions");
    }

    @Override
    public void outcomes(DataStream<Outcome> outcomes) {
        outcomes.sinkTo(new Collect<>("outcomes")).uid("collect-outcomes");
    }

    @Override
    public void unmatched(DataStream<UnmatchedFeedback> unmatched) {
        unmatched.sinkTo(new Collect<>("unmatched")).uid("collect-unmatched");
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        deadLetters.sinkTo(new Collect<>("dead-letters")).uid("collect-dead-letters");
    }

    /** A Sink V2 that adds every record to {@link #COLLECTED} under its name. */
    static final class Collect<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private final String name;

        Collect(String name) {
            this.name = name;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            ConcurrentLinkedQueue<Object> queue =
                    COLLECTED.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    queue.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
