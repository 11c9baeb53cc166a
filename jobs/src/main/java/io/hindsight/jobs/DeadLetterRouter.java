package io.hindsight.jobs;

import io.hindsight.schemas.DeadLetter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Splits decoded input: events continue, dead letters go to {@link #DEAD_LETTERS}, counted. */
public final class DeadLetterRouter<T> extends ProcessFunction<Either<DeadLetter, T>, T> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private transient Counter deadLettered;

    public static <T> TypeInformation<T> type(Class<T> avroType) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeInformation<T> info = (TypeInformation<T>) new AvroTypeInfo(avroType);
        return info;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLettered =
                getRuntimeContext().getMetricGroup().addGroup("hindsight").counter("deadLettered");
    }

    @Override
    public void processElement(Either<DeadLetter, T> value, Context ctx, Collector<T> out) {
        if (value.isRight()) {
            out.collect(value.right());
        } else {
            deadLettered.inc();
            ctx.output(DEAD_LETTERS, value.left());
        }
    }
}
