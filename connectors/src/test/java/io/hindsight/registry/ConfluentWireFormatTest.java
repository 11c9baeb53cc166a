package io.hindsight.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

    @Test
    void frameWritesMagicByteBigEndianIdAndPayload() {
        byte[] framed = ConfluentWireFormat.frame(0x01020304, new byte[] {9, 8});

        assertThat(framed).containsExactly(0, 1, 2, 3, 4, 9, 8);
        assertThat(ConfluentWireFormat.schemaId(framed)).isEqualTo(0x01020304);
    }

    @Test
    void headerWrittenToStreamMatchesFrame() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConfluentWireFormat.writeHeader(out, 70_000);
        out.write(new byte[] {42});

        assertThat(out.toByteArray())
                .containsExactly(ConfluentWireFormat.frame(70_000, new byte[] {42}));
        assertThat(ConfluentWireFormat.schemaId(out.toByteArray())).isEqualTo(70_000);
    }

    @Test
    void largeIdsSurviveTheRoundTrip() {
        assertThat(
                        ConfluentWireFormat.schemaId(
                                ConfluentWireFormat.frame(Integer.MAX_VALUE, new byte[0])))
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void shortRecordIsRefusedWithItsLength() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {0, 0, 1}))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(
                        "record is 3 bytes long; a Confluent-framed record has at least 5"
                                + " (magic byte + 4-byte schema id)");
    }

    @Test
    void nullRecordIsRefused() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(null))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(
                        "record has no value (null); a Confluent-framed record has at least 5"
                                + " bytes (magic byte + 4-byte schema id)");
    }

    @Test
    void jsonRecordIsRecognisedByItsBrace() {
        byte[] json = "{\"id\": 1}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(json))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(
                        "unknown magic byte 0x7b (expected 0x00): the record is not in the"
                                + " Confluent wire format — is the topic JSON?");
    }

    @Test
    void otherMagicBytesSuggestPlainAvro() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {(byte) 0xc3, 1, 2, 3, 4}))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(
                        "unknown magic byte 0xc3 (expected 0x00): the record is not in the"
                                + " Confluent wire format — was it written by a plain Avro"
                                + " serializer without a schema registry?");
    }
}
