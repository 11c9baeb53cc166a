package io.hindsight.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FeedbackBinaryTest {

    private static final String[] WORDS = {
        "", "a", "chargeback", "pay-0123456789ab-42", "fb-1", "München", "日本", "😀 emoji"
    };

    @Test
    void writesAvrosBytesAndReadsThemBack() {
        FeedbackBinary codec = new FeedbackBinary();
        AvroBinary<Feedback> avro = new AvroBinary<>(Feedback.class);
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            Feedback f = random(random);
            byte[] expected = avro.encode(f);
            assertThat(codec.encode(f)).as("feedback %d: %s", i, f).isEqualTo(expected);
            assertThat(codec.decode(expected)).isEqualTo(f);
            assertThat(avro.decode(codec.encode(f))).isEqualTo(f);
        }
    }

    @Test
    void refusesEveryTruncationAndTrailingBytes() {
        FeedbackBinary codec = new FeedbackBinary();
        Random random = new Random(9);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = codec.encode(random(random));
            for (int k = 0; k < bytes.length; k++) {
                int length = k;
                assertThatThrownBy(() -> codec.decode(bytes, length))
                        .as("feedback %d cut at %d of %d bytes", i, k, bytes.length)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("cannot decode Avro io.hindsight.schemas.Feedback");
            }
            assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length + 2)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("2 bytes left after the last field");
        }
    }

    @Test
    void isBoundToTheSchemaItWasWrittenFor() {
        assertThat(FeedbackBinary.currentFingerprint()).isEqualTo(FeedbackBinary.FINGERPRINT);
    }

    private static Feedback random(Random r) {
        Map<String, String> attributes = new HashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            attributes.put(word(r) + i, word(r));
        }
        return new Feedback(
                word(r),
                word(r),
                word(r),
                Instant.ofEpochMilli(r.nextBoolean() ? r.nextLong() >> 12 : r.nextInt()),
                r.nextBoolean() ? null : r.nextGaussian(),
                r.nextBoolean() ? null : word(r),
                attributes);
    }

    private static String word(Random r) {
        return WORDS[r.nextInt(WORDS.length)];
    }
}
