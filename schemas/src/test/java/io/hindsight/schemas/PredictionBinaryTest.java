package io.hindsight.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PredictionBinary} against Avro's own writer and reader ({@link AvroBinary}), on random
 * predictions that reach every branch of the schema: the same bytes both ways.
 */
class PredictionBinaryTest {

    private static final String[] WORDS = {
        "", "a", "fraud", "pay-0123456789ab-42", "v7", "grocery", "München", "日本", "😀 emoji"
    };

    @Test
    void writesAvrosBytesAndReadsThemBack() {
        PredictionBinary codec = new PredictionBinary();
        AvroBinary<Prediction> avro = new AvroBinary<>(Prediction.class);
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            Prediction p = random(random);
            byte[] expected = avro.encode(p);
            byte[] actual = codec.encode(p);
            assertThat(actual).as("prediction %d: %s", i, p).isEqualTo(expected);
            assertThat(codec.decode(expected)).isEqualTo(p);
            assertThat(avro.decode(actual)).isEqualTo(p);
        }
    }

    @Test
    void keepsTheBitsOfEveryDouble() {
        PredictionBinary codec = new PredictionBinary();
        AvroBinary<Prediction> avro = new AvroBinary<>(Prediction.class);
        double[] values = {
            0.0,
            -0.0,
            Double.NaN,
            Double.longBitsToDouble(0x7ff8000000000123L),
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE,
            Double.MAX_VALUE
        };
        for (double v : values) {
            Prediction p = random(new Random(1));
            p.setScore(v);
            p.setNumericFeatures(Map.of("x", v));
            assertThat(codec.encode(p)).isEqualTo(avro.encode(p));
            Prediction back = codec.decode(codec.encode(p));
            assertThat(Double.doubleToRawLongBits(back.getScore()))
                    .isEqualTo(Double.doubleToRawLongBits(v));
        }
    }

    @Test
    void readsBlocksWithNegativeCounts() {
        // An Avro writer may block a map by size: count -n, then the block's byte size. Entry
        // "k" -> 1.5 as one such block, then the end block; everything else minimal.
        Prediction p = random(new Random(3));
        p.setScores(null);
        p.setRankedItems(null);
        p.setNumericFeatures(new HashMap<>());
        p.setCategoricalFeatures(new HashMap<>());
        p.setTags(new HashMap<>());
        PredictionBinary codec = new PredictionBinary();
        byte[] plain = codec.encode(p);
        // numeric_features is the third map from the end: replace its end block (one 0 byte)
        // with a negative-count block. Positions: ..., numeric 0, categorical 0, tags 0, duplicate.
        int numericEnd = plain.length - 4;
        assertThat(plain[numericEnd]).isZero();
        byte[] block = {
            1, // zig-zag -1: one entry, byte size follows
            20, // zig-zag 10: byte size of the entry (2 + 8)
            2,
            'k', // "k"
            0,
            0,
            0,
            0,
            0,
            0,
            (byte) 0xF8,
            0x3F, // 1.5, little-endian
            0 // end of map
        };
        byte[] blocked = new byte[plain.length - 1 + block.length];
        System.arraycopy(plain, 0, blocked, 0, numericEnd);
        System.arraycopy(block, 0, blocked, numericEnd, block.length);
        System.arraycopy(plain, numericEnd + 1, blocked, numericEnd + block.length, 3);
        Prediction expected = Prediction.newBuilder(p).setNumericFeatures(Map.of("k", 1.5)).build();
        assertThat(codec.decode(blocked)).isEqualTo(expected);
        assertThat(new AvroBinary<>(Prediction.class).decode(blocked)).isEqualTo(expected);
    }

    @Test
    void refusesTruncatedOrLongerBytes() {
        PredictionBinary codec = new PredictionBinary();
        byte[] bytes = codec.encode(random(new Random(5)));
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot decode Avro io.hindsight.schemas.Prediction");
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1 bytes left after the last field");
    }

    @Test
    void readsAPrefixOfALargerBufferAndRefusesEveryShorterOne() {
        PredictionBinary codec = new PredictionBinary();
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            Prediction p = random(random);
            int n = codec.write(p);
            assertThat(Arrays.copyOf(codec.written(), n)).isEqualTo(codec.encode(p));
            // The bytes of p, then the bytes of another prediction: only the prefix is read.
            byte[] buffer = Arrays.copyOf(codec.encode(p), n + 64);
            byte[] other = codec.encode(random(random));
            System.arraycopy(other, 0, buffer, n, Math.min(64, other.length));
            assertThat(codec.decode(buffer, n)).isEqualTo(p);
            for (int k = 0; k < n; k++) {
                int length = k;
                assertThatThrownBy(() -> codec.decode(buffer, length))
                        .as("prediction %d cut at %d of %d bytes", i, k, n)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith(
                                "cannot decode Avro io.hindsight.schemas.Prediction");
            }
        }
    }

    @Test
    void isBoundToTheSchemaItWasWrittenFor() {
        assertThat(PredictionBinary.currentFingerprint()).isEqualTo(PredictionBinary.FINGERPRINT);
    }

    private static Prediction random(Random r) {
        return new Prediction(
                word(r),
                word(r),
                Instant.ofEpochMilli(r.nextBoolean() ? r.nextLong() >> 12 : r.nextInt()),
                word(r),
                word(r),
                r.nextBoolean() ? null : r.nextGaussian(),
                r.nextInt(3) == 0 ? null : doubles(r),
                r.nextBoolean() ? null : word(r),
                r.nextBoolean() ? null : r.nextDouble() * 1e6,
                r.nextInt(3) == 0 ? null : list(r),
                r.nextBoolean() ? null : word(r),
                doubles(r),
                strings(r),
                strings(r),
                r.nextBoolean());
    }

    private static String word(Random r) {
        String w = WORDS[r.nextInt(WORDS.length)];
        return r.nextInt(4) == 0 ? w + r.nextInt(1_000_000) : w;
    }

    private static Map<String, Double> doubles(Random r) {
        Map<String, Double> m = r.nextBoolean() ? new HashMap<>() : new LinkedHashMap<>();
        int n = r.nextInt(4) == 0 ? 0 : r.nextInt(70);
        for (int i = 0; i < n; i++) {
            m.put(word(r) + i, r.nextGaussian() * 1000);
        }
        return m;
    }

    private static Map<String, String> strings(Random r) {
        Map<String, String> m = new HashMap<>();
        int n = r.nextInt(4) == 0 ? 0 : r.nextInt(10);
        for (int i = 0; i < n; i++) {
            m.put(word(r) + i, word(r));
        }
        return m;
    }

    private static List<String> list(Random r) {
        List<String> l = new ArrayList<>();
        int n = r.nextInt(4) == 0 ? 0 : r.nextInt(80);
        for (int i = 0; i < n; i++) {
            l.add(word(r));
        }
        return l;
    }
}
