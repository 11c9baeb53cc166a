package io.hindsight.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The benchmarks' input, generated deterministically from a seed: {@code predictions} fraud scores
 * in the payment team's producer schema ({@code examples/fraud/prediction.avsc}), spread evenly
 * over {@link #SPAN} of event time, and for 85 % of them one chargeback ({@code feedback.avsc}) 1
 * minute to 20 days later (log-uniform).
 *
 * <p>Record {@code i} is a pure function of (seed, i), so the in-process sources and the Kafka
 * topics carry the same bytes. Feedback is served in event-time order through {@link
 * #feedbackOrder()}: packed {@code (time offset << 24) | prediction index}, sorted.
 */
public final class BenchData implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final Duration SPAN = Duration.ofDays(30);
    public static final double FEEDBACK_SHARE = 0.85;
    static final long MIN_DELAY_MS = Duration.ofMinutes(1).toMillis();
    static final long MAX_DELAY_MS = Duration.ofDays(20).toMillis();
    static final int MAX_PREDICTIONS = 1 << 24;

    private static final String[] COUNTRIES = {"US", "DE", "GB", "FR", "BR", "IN", "MX"};
    private static final String[] CHANNELS = {"web", "app", "pos"};
    private static final String[] CATEGORIES = {
        "grocery", "electronics", "gaming", "travel", "fashion", "fuel", "restaurants", "pharmacy"
    };
    private static final Map<String, long[]> ORDERS = new ConcurrentHashMap<>();

    private final long seed;
    private final int predictions;
    private final long startMs;
    private final String predictionSchema;
    private final String feedbackSchema;

    public BenchData(long seed, int predictions, long startMs, Path schemaDir) {
        if (predictions < 1 || predictions > MAX_PREDICTIONS) {
            throw new IllegalArgumentException(
                    "predictions must be in [1, " + MAX_PREDICTIONS + "], was " + predictions);
        }
        this.seed = seed;
        this.predictions = predictions;
        this.startMs = startMs;
        try {
            this.predictionSchema = Files.readString(schemaDir.resolve("prediction.avsc"));
            this.feedbackSchema = Files.readString(schemaDir.resolve("feedback.avsc"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the fraud example schemas", e);
        }
    }

    public int predictions() {
        return predictions;
    }

    public long startMs() {
        return startMs;
    }

    public Schema predictionSchema() {
        return new Schema.Parser().parse(predictionSchema);
    }

    public Schema feedbackSchema() {
        return new Schema.Parser().parse(feedbackSchema);
    }

    /** SplitMix64 of (seed, index, stream): independent, reproducible draws per record. */
    long mix(long index, long stream) {
        long z = seed + index * 0x9E3779B97F4A7C15L + stream * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    double unit(long index, long stream) {
        return (mix(index, stream) >>> 11) * 0x1.0p-53;
    }

    public long predictionTime(int i) {
        return startMs + (long) i * SPAN.toMillis() / predictions;
    }

    public boolean hasFeedback(int i) {
        return unit(i, 1) < FEEDBACK_SHARE;
    }

    public long feedbackTime(int i) {
        double lnMin = Math.log(MIN_DELAY_MS);
        double lnMax = Math.log(MAX_DELAY_MS);
        return predictionTime(i) + (long) Math.exp(lnMin + unit(i, 2) * (lnMax - lnMin));
    }

    public String predictionId(int i) {
        return "pay-" + Long.toHexString(mix(i, 0) >>> 16) + "-" + i;
    }

    /** Feedback in event-time order; computed once per data set and JVM, shared by subtasks. */
    public long[] feedbackOrder() {
        return ORDERS.computeIfAbsent(seed + "/" + predictions + "/" + startMs, k -> order());
    }

    private long[] order() {
        long[] packed = new long[predictions];
        int n = 0;
        for (int i = 0; i < predictions; i++) {
            if (hasFeedback(i)) {
                packed[n++] = ((feedbackTime(i) - startMs) << 24) | i;
            }
        }
        long[] order = Arrays.copyOf(packed, n);
        Arrays.sort(order);
        return order;
    }

    public static int predictionIndex(long packed) {
        return (int) (packed & (MAX_PREDICTIONS - 1));
    }

    public GenericRecord prediction(int i, Schema schema) {
        Schema request = schema.getField("request").schema();
        Schema model = schema.getField("model").schema();
        Schema features = schema.getField("features").schema();
        Schema context = schema.getField("context").schema();
        GenericRecord r = new GenericData.Record(request);
        r.put("id", predictionId(i));
        r.put("ts", predictionTime(i));
        r.put("merchant_id", "m-" + (mix(i, 3) >>> 1) % 500);
        GenericRecord m = new GenericData.Record(model);
        m.put("name", "fraud-scorer");
        m.put("version", unit(i, 4) < 0.5 ? "v6" : "v7");
        GenericRecord f = new GenericData.Record(features);
        f.put("amount", Math.round(Math.exp(3.8 + 1.0 * gaussian(i, 5)) * 100) / 100.0);
        f.put("account_age_days", unit(i, 6) < 0.05 ? null : (int) (unit(i, 7) * 3000));
        f.put("merchant_category", CATEGORIES[(int) (unit(i, 8) * CATEGORIES.length)]);
        f.put("card_present", unit(i, 9) < 0.2);
        GenericRecord c = new GenericData.Record(context);
        c.put("country", COUNTRIES[(int) (unit(i, 10) * COUNTRIES.length)]);
        c.put("channel", CHANNELS[(int) (unit(i, 11) * CHANNELS.length)]);
        GenericRecord p = new GenericData.Record(schema);
        p.put("request", r);
        p.put("model", m);
        p.put("fraud_probability", unit(i, 12));
        p.put("features", f);
        p.put("context", c);
        return p;
    }

    public GenericRecord feedback(int i, Schema schema) {
        GenericRecord f = new GenericData.Record(schema);
        f.put("chargeback_id", "cb-" + i);
        f.put("payment_request_id", predictionId(i));
        f.put("reported_at", feedbackTime(i));
        f.put("is_fraud", unit(i, 13) < 0.3);
        f.put("reason_code", unit(i, 14) < 0.5 ? "10.4" : null);
        return f;
    }

    private double gaussian(int i, long stream) {
        // Box-Muller from two independent uniforms.
        double u1 = Math.max(unit(i, stream), 1e-12);
        double u2 = unit(i, stream + 100);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    public static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    /** Plain Avro binary of generic records of one schema, reusing its writer and buffer. */
    public static final class Encoder {
        private final GenericDatumWriter<GenericRecord> writer;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        private BinaryEncoder encoder;

        public Encoder(Schema schema) {
            this.writer = new GenericDatumWriter<>(schema);
        }

        public byte[] encode(GenericRecord record) {
            buffer.reset();
            encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
            try {
                writer.write(record, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }
    }
}
