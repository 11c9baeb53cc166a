package io.hindsight.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The evolution policy of schemas/README.md, checked with Avro's own compatibility checker: every
 * schema stays FULL-compatible (readable both ways) with each released version kept under
 * src/test/resources/released/, and the changes the policy forbids are indeed incompatible.
 */
class SchemaEvolutionTest {

    static final List<String> RELEASES = List.of("0.1");

    static List<Schema> current() {
        return List.of(
                Prediction.getClassSchema(),
                Feedback.getClassSchema(),
                Outcome.getClassSchema(),
                UnmatchedFeedback.getClassSchema(),
                DeadLetter.getClassSchema(),
                DriftResult.getClassSchema(),
                SliceMetric.getClassSchema());
    }

    static Schema released(String release, String name) throws IOException {
        try (InputStream in =
                SchemaEvolutionTest.class.getResourceAsStream(
                        "/released/" + release + "/" + name + ".avsc")) {
            assertThat(in).as("released schema %s of %s", name, release).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    static SchemaCompatibilityType read(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType();
    }

    @ParameterizedTest
    @MethodSource("current")
    void everySchemaIsFullyCompatibleWithEveryRelease(Schema schema) throws IOException {
        for (String release : RELEASES) {
            Schema old = released(release, schema.getName());
            assertThat(read(schema, old))
                    .as("%s reads data written with release %s", schema.getName(), release)
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            assertThat(read(old, schema))
                    .as("release %s reads data written with %s", release, schema.getName())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    /**
     * A field added since a release is a null union: Hindsight's Iceberg tables gain new optional
     * columns on start-up, but cannot gain a required one (a plain boolean or map with a default
     * converts to a required column).
     */
    @ParameterizedTest
    @MethodSource("current")
    void everyFieldAddedSinceAReleaseIsOptional(Schema schema) throws IOException {
        for (String release : RELEASES) {
            Schema old = released(release, schema.getName());
            for (Schema.Field field : schema.getFields()) {
                if (old.getField(field.name()) == null) {
                    assertThat(field.schema().isNullable())
                            .as("%s.%s, added since %s", schema.getName(), field.name(), release)
                            .isTrue();
                }
            }
        }
    }

    static Schema variant(Schema base, String fieldsJson) {
        String json = base.toString();
        int fields = json.indexOf("\"fields\":[");
        return new Schema.Parser()
                .parse(json.substring(0, fields) + "\"fields\":" + fieldsJson + "}");
    }

    static final String BASE =
            """
            {"type":"record","name":"R","namespace":"t","fields":[
              {"name":"id","type":"string"},
              {"name":"score","type":["null","double"],"default":null}]}""";

    @Test
    void addingAnOptionalFieldWithDefaultIsAllowed() {
        Schema base = new Schema.Parser().parse(BASE);
        Schema added =
                variant(
                        base,
                        """
                        [{"name":"id","type":"string"},
                         {"name":"score","type":["null","double"],"default":null},
                         {"name":"region","type":["null","string"],"default":null}]""");
        assertThat(read(added, base)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(read(base, added)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void addingARequiredFieldWithoutDefaultIsRefused() {
        Schema base = new Schema.Parser().parse(BASE);
        Schema added =
                variant(
                        base,
                        """
                        [{"name":"id","type":"string"},
                         {"name":"score","type":["null","double"],"default":null},
                         {"name":"region","type":"string"}]""");
        assertThat(read(added, base)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void removingARequiredFieldIsRefused() {
        Schema base = new Schema.Parser().parse(BASE);
        Schema removed =
                variant(
                        base,
                        "[{\"name\":\"score\",\"type\":[\"null\",\"double\"],\"default\":null}]");
        assertThat(read(base, removed)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void changingATypeIsRefused() {
        Schema base = new Schema.Parser().parse(BASE);
        Schema changed =
                variant(
                        base,
                        """
                        [{"name":"id","type":"long"},
                         {"name":"score","type":["null","double"],"default":null}]""");
        assertThat(read(changed, base)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void renamingWithoutAnAliasIsRefused() {
        Schema base = new Schema.Parser().parse(BASE);
        Schema renamed =
                variant(
                        base,
                        """
                        [{"name":"prediction_id","type":"string"},
                         {"name":"score","type":["null","double"],"default":null}]""");
        assertThat(read(renamed, base)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        Schema aliased =
                variant(
                        base,
                        """
                        [{"name":"prediction_id","type":"string","aliases":["id"]},
                         {"name":"score","type":["null","double"],"default":null}]""");
        assertThat(read(aliased, base)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void addingAnEnumSymbolBreaksOldReadersUnlessTheEnumHasADefault() {
        Schema old = UnmatchedFeedback.getClassSchema().getField("kind").schema();
        Schema grown =
                new Schema.Parser()
                        .parse(
                                """
                                {"type":"enum","name":"UnmatchedKind","namespace":"io.hindsight.schemas",
                                 "symbols":["LATE","ORPHAN","EXTRA","DUPLICATE","NEW_KIND"]}""");
        assertThat(read(grown, old)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(read(old, grown)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }
}
